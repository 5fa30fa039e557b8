"""Backups of the database and their restore (docs/deployment.md, 备份与恢复).

PostgreSQL: `pg_dump --format=custom` to a file, `pg_restore --clean --if-exists`
back. SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a
consistent snapshot while the web processes and workers go on writing (in WAL
mode a reader never blocks a writer) and restores through SQLite's own locks, so a
running server sees either the old database or the restored one, never a file
swapped under its open connections.

A backup is written under a `.partial` name and renamed when complete: a crash
mid-backup leaves no file that looks whole, and retention never counts one. Media
(MEDIA_ROOT, PRIVATE_MEDIA_ROOT) are files: an rsync or a snapshot of their volume
backs them up; `archive_media` makes a tar.gz of both beside the database backup.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

PREFIX = "gridschool"
EXTENSIONS = {"sqlite": "sqlite3", "postgresql": "dump"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KINDS = (*EXTENSIONS, "media")
NAME = re.compile(
    rf"^{PREFIX}-(?P<kind>{'|'.join(KINDS)})-(?P<stamp>\d{{8}}-\d{{6}}-\d{{6}})\."
)
TOOL_TIMEOUT_S = 6 * 60 * 60


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what next."""


@dataclass(frozen=True)
class Database:
    """The database a backup reads or a restore writes: an alias's settings."""

    vendor: str
    settings: Mapping

    @classmethod
    def of(cls, using: str = "default") -> "Database":
        connection = connections[using]
        return cls(vendor=connection.vendor, settings=connection.settings_dict)

    @property
    def sqlite_path(self) -> Path:
        return Path(self.settings["NAME"])

    def postgres_environment(self) -> dict[str, str]:
        """libpq's variables for pg_dump / pg_restore: no password on a command line."""
        values = {
            "PGHOST": self.settings.get("HOST") or "",
            "PGPORT": str(self.settings.get("PORT") or ""),
            "PGUSER": self.settings.get("USER") or "",
            "PGPASSWORD": self.settings.get("PASSWORD") or "",
            "PGDATABASE": self.settings["NAME"],
            "PGSSLMODE": (self.settings.get("OPTIONS") or {}).get("sslmode", ""),
        }
        return {**os.environ, **{k: v for k, v in values.items() if v}}


def default_directory() -> Path:
    """BACKUP_DIR (setting, then environment), else VAR_DIR/backups."""
    configured = getattr(settings, "BACKUP_DIR", None) or os.environ.get("BACKUP_DIR")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "backups"


def timestamp(now: datetime | None = None) -> str:
    """UTC, to the microsecond: names sort in time order and never collide."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d-%H%M%S-%f")


def backup_database(
    directory: Path, *, using: str = "default", now: datetime | None = None
) -> Path:
    """A new backup of the database `using` in `directory`; returns its path."""
    database = Database.of(using)
    if database.vendor not in EXTENSIONS:
        raise BackupError(
            f"不支持备份 {database.vendor} 数据库，只支持 SQLite 和 PostgreSQL。"
        )
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}-{database.vendor}-{timestamp(now)}.{EXTENSIONS[database.vendor]}"
    target = directory / name
    partial = target.with_name(target.name + ".partial")
    try:
        if database.vendor == "sqlite":
            _backup_sqlite(database.sqlite_path, partial)
        else:
            _backup_postgres(database, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"找不到 SQLite 数据库文件 {source}。请检查 SQLITE_PATH。")
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # All pages in one step, inside one read transaction: a consistent snapshot
        # that writers (WAL) do not wait for.
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"备份文件未通过完整性检查：{result}")
    finally:
        copy.close()
        live.close()


def _backup_postgres(database: Database, target: Path) -> None:
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
        database,
        what="pg_dump",
    )


def restore_database(backup: Path, *, using: str = "default") -> None:
    """Replace the contents of the database `using` with those of `backup`.

    The caller confirms first (the command's --yes) and makes a fresh backup of what
    is about to be replaced (the command does).
    """
    restore_into(backup, Database.of(using))


def restore_into(backup: Path, database: Database) -> None:
    """Replace the contents of `database` (any, e.g. a fresh one) with `backup`'s."""
    kind = backup_kind(backup)
    if kind != database.vendor:
        raise BackupError(
            f"{backup.name} 是 {kind} 备份，而当前数据库是 {database.vendor}："
            "请选择同一种数据库的备份。"
        )
    # Django's own connections would hold locks (PostgreSQL) or a stale view
    # (SQLite) of the tables about to be replaced.
    connections.close_all()
    if kind == "sqlite":
        _restore_sqlite(backup, database.sqlite_path)
    else:
        _restore_postgres(backup, database)


def backup_kind(path: Path) -> str:
    """ "sqlite" or "postgresql", read from the file's first bytes, not its name."""
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path.name} 不是本系统的数据库备份（既不是 SQLite 文件，也不是 pg_dump 自定义格式）。"
    )


def _restore_sqlite(backup: Path, target: Path) -> None:
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"备份文件已损坏（{result}），未做任何改动。")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written through SQLite's locks into the live file: other connections wait
        # (busy timeout) and then see the restored pages; the WAL stays coherent.
        live = sqlite3.connect(target, timeout=60)
        try:
            source.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
        finally:
            live.close()
    finally:
        source.close()


def _restore_postgres(backup: Path, database: Database) -> None:
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            database.settings["NAME"],
            str(backup),
        ],
        database,
        what="pg_restore",
    )


def _run(command: list[str], database: Database, *, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"找不到 {command[0]}：请安装与服务器同版本的 PostgreSQL 客户端"
            "（Debian：postgresql-client）。"
        )
    result = subprocess.run(  # noqa: S603 - a fixed tool, no shell
        command,
        env=database.postgres_environment(),
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise BackupError(
            f"{what} 失败（退出码 {result.returncode}）：{result.stderr.strip()}"
        )


def archive_media(directory: Path, *, now: datetime | None = None) -> Path:
    """A tar.gz of MEDIA_ROOT (as media/) and PRIVATE_MEDIA_ROOT (as private-media/)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{PREFIX}-media-{timestamp(now)}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for root, name in (
                (settings.MEDIA_ROOT, "media"),
                (settings.PRIVATE_MEDIA_ROOT, "private-media"),
            ):
                if Path(root).is_dir():
                    archive.add(root, arcname=name)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of each kind; returns what went.

    Only complete files named as this module names them are touched.
    """
    if keep < 1:
        raise BackupError("--keep 至少为 1：不能删掉全部备份。")
    by_kind: dict[str, list[tuple[str, Path]]] = {}
    for path in directory.iterdir() if directory.is_dir() else ():
        match = NAME.match(path.name)
        if match and path.is_file() and not path.name.endswith(".partial"):
            by_kind.setdefault(match["kind"], []).append((match["stamp"], path))
    removed = []
    for backups in by_kind.values():
        backups.sort(reverse=True)
        for _, path in backups[keep:]:
            path.unlink()
            removed.append(path)
    return sorted(removed)


def list_backups(directory: Path) -> list[Path]:
    """The complete backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    found = [
        (match["stamp"], path)
        for path in directory.iterdir()
        if (match := NAME.match(path.name)) and not path.name.endswith(".partial")
    ]
    return [path for _, path in sorted(found)]
