from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from school import services
from school.importing import UnreadableFile


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property, not gettext_lazy: argparse needs a real str.
        return _(
            "导入学员名单（CSV 或 XLSX）。与管理后台的导入是同一套规则："
            "有任何一行有误则整个文件不导入。"
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help=_("CSV（UTF-8 或 GB18030）或 XLSX 文件")
        )

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(_("找不到文件：%(file)s") % {"file": file})
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
                _("发现 %(count)s 处问题，未导入任何学员。")
                % {"count": len(rejected.errors)}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "导入完成：共 %(rows)s 行，新建 %(created)s 人，"
                    "更新 %(updated)s 人，未变 %(unchanged)s 人。"
                )
                % {
                    "rows": record.rows,
                    "created": record.created,
                    "updated": record.updated,
                    "unchanged": record.unchanged,
                }
            )
        )
