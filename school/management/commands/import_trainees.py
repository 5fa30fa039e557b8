from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from school import services
from school.importing import UnreadableFile


class Command(BaseCommand):
    help = "导入学员名单（CSV 或 XLSX）。与管理后台的导入是同一套规则：有任何一行有误则整个文件不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX file")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            record = services.import_trainees(
                file.read_bytes(), filename=file.name, actor=None
            )
        except UnreadableFile as error:
            raise CommandError(str(error)) from error
        except services.ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"发现 {len(rejected.errors)} 处问题，未导入任何学员。"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：共 {record.rows} 行，新建 {record.created} 人，"
                f"更新 {record.updated} 人，未变 {record.unchanged} 人。"
            )
        )
