"""Back up the database (and, with --with-media, the media) into BACKUP_DIR."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backups


class Command(BaseCommand):
    help = (
        "备份数据库到 BACKUP_DIR：PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份"
        "（服务运行中也安全）。--with-media 另把 MEDIA_ROOT 与 PRIVATE_MEDIA_ROOT 打包。"
        "之后只保留每类最新的 --keep 份。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="备份目录（默认 BACKUP_DIR，未设时为 VAR_DIR/backups）",
        )
        parser.add_argument(
            "--keep", type=int, default=14, help="每类保留的最新备份份数（默认 14）"
        )
        parser.add_argument(
            "--with-media", action="store_true", help="同时打包媒体文件（tar.gz）"
        )
        parser.add_argument("--database", default="default", help="数据库别名")

    def handle(self, *args, **options):
        directory = options["dir"] or backups.default_directory()
        if options["keep"] < 1:
            raise CommandError("--keep 至少为 1：不能删掉全部备份。")
        try:
            made = [backups.backup_database(directory, using=options["database"])]
            if options["with_media"]:
                made.append(backups.archive_media(directory))
            removed = backups.prune_backups(directory, keep=options["keep"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        for path in made:
            self.stdout.write(f"已备份：{path}（{path.stat().st_size} 字节）")
        for path in removed:
            self.stdout.write(f"已按保留份数删除旧备份：{path.name}")
