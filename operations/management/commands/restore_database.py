"""Restore the database from a backup made by backup_database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backups


class Command(BaseCommand):
    help = (
        "用备份文件替换当前数据库的全部内容（PostgreSQL：pg_restore --clean --if-exists；"
        "SQLite：在线写回）。先自动备份当前数据库，需 --yes 确认。恢复后请运行 "
        "manage.py check_invariants 核对数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="backup_database 生成的备份文件")
        parser.add_argument(
            "--yes", action="store_true", help="确认替换当前数据库的全部内容"
        )
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="不在恢复前备份当前数据库（不建议）",
        )
        parser.add_argument(
            "--dir", type=Path, default=None, help="恢复前安全备份的存放目录"
        )
        parser.add_argument("--database", default="default", help="数据库别名")

    def handle(self, *args, **options):
        backup = options["file"]
        using = options["database"]
        try:
            kind = backups.backup_kind(backup)
            if not options["yes"]:
                raise CommandError(
                    f"恢复会用 {backup.name}（{kind} 备份）替换当前数据库的全部内容。"
                    "请先停止 Web 进程和后台任务，确认无误后加 --yes 重新运行。"
                )
            if not options["no_safety_backup"]:
                directory = options["dir"] or backups.default_directory()
                safety = backups.backup_database(directory, using=using)
                self.stdout.write(f"恢复前已备份当前数据库：{safety}")
            backups.restore_database(backup, using=using)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已从 {backup} 恢复数据库。")
