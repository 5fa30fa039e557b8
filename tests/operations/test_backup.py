"""Backups and their restore (operations.backups, backup_database, restore_database):
what comes back is exactly what was backed up, and it keeps every invariant."""

import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

from django.core.management import CommandError, call_command
from django.db import connection, connections

import pytest

from courses import booking as booking_engine
from operations import backups
from operations.invariants import check_all
from school.models import User

pytestmark = pytest.mark.django_db(transaction=True)

WRITER_PHONE = "1390000{:04d}"


@pytest.fixture
def school_data(certificate, class_session, trainee, other_trainee):
    """A certificate issued and two bookings on a session: rows every invariant sees."""
    for person in (trainee, other_trainee):
        booking_engine.book(class_session, trainee=person, actor=person)
    return class_session


def change_everything(session, trainee, other_trainee):
    """What a bad day does after the backup: a cancellation, a booking row deleted,
    a renamed person, a new account."""
    booking_engine.cancel_booking(session.bookings.get(trainee=trainee), actor=trainee)
    session.bookings.filter(trainee=other_trainee).delete()
    User.objects.filter(pk=trainee.pk).update(real_name="改过的名字")
    User.objects.create_user(phone="13912345678", password="x" * 12, real_name="新人")


# --- SQLite ----------------------------------------------------------------------


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the SQLite file at `path`, in a stable order."""
    database = sqlite3.connect(path, timeout=30)
    try:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            table: sorted(database.execute(f'SELECT * FROM "{table}"'), key=repr)  # noqa: S608
            for table in tables
        }
    finally:
        database.close()


class Writer(threading.Thread):
    """Signs people up, one committed row after another, until told to stop."""

    def __init__(self):
        super().__init__(name="backup-writer")
        self.written = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stop.is_set() and self.written < 5000:
                User.objects.create(
                    phone=WRITER_PHONE.format(self.written), real_name="并发写入"
                )
                self.written += 1
        except BaseException as error:  # noqa: BLE001 — reported by the test
            self.error = error
        finally:
            connections.close_all()

    def wait_for(self, count: int) -> None:
        while self.written < count and self.is_alive():
            threading.Event().wait(0.005)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_sqlite_backup_taken_while_writing_restores_exactly(
    school_data, trainee, other_trainee, tmp_path
):
    live = Path(connection.settings_dict["NAME"])
    before = sqlite_rows(live)

    writer = Writer()
    writer.start()
    try:
        writer.wait_for(20)
        backup = backups.backup_database(tmp_path)
        writer.wait_for(writer.written + 20)
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None
    assert backup.name.startswith("gridschool-sqlite-")

    backed_up = sqlite_rows(backup)
    # Everything there before is in the backup, unchanged; of the rows written
    # meanwhile, the backup holds a consistent snapshot: the first k, no gaps.
    user_table = User._meta.db_table
    for table, rows in before.items():
        if table != user_table:
            assert backed_up[table] == rows, table
    assert set(before[user_table]) <= set(backed_up[user_table])
    phones = sorted(
        row[[c.name for c in User._meta.concrete_fields].index("phone")]
        for row in backed_up[user_table]
        if row not in set(before[user_table])
    )
    assert phones == [WRITER_PHONE.format(i) for i in range(len(phones))]
    assert 20 <= len(phones) < writer.written

    change_everything(school_data, trainee, other_trainee)
    assert sqlite_rows(live) != backed_up

    call_command("restore_database", str(backup), "--yes", "--dir", str(tmp_path))

    assert sqlite_rows(live) == backed_up
    assert check_all() == []
    # The safety copy of what was replaced sits beside the backup.
    assert len(backups.list_backups(tmp_path)) == 2


def test_restore_refuses_without_yes_and_changes_nothing(school_data, tmp_path):
    backup = backups.backup_database(tmp_path)
    User.objects.create_user(phone="13912345678", password="x" * 12, real_name="新人")

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_database", str(backup), "--dir", str(tmp_path))

    assert User.objects.filter(phone="13912345678").exists()
    assert backups.list_backups(tmp_path) == [backup]


def test_restore_refuses_a_file_that_is_no_backup(db, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("不是备份")
    with pytest.raises(CommandError, match="不是本系统的数据库备份"):
        call_command("restore_database", str(stray), "--yes")


def test_retention_keeps_the_newest_of_each_kind(db, tmp_path):
    call_command("backup_database", "--dir", str(tmp_path), "--keep", "2")
    call_command("backup_database", "--dir", str(tmp_path), "--keep", "2")
    newest = call_and_list(tmp_path, "--keep", "2", "--with-media")

    kept = backups.list_backups(tmp_path)
    databases = [p for p in kept if "-media-" not in p.name]
    media = [p for p in kept if "-media-" in p.name]
    assert len(databases) == 2
    assert newest[-1] in kept
    assert len(media) == 1 and media[0].name.endswith(".tar.gz")
    # Files that are not backups are never touched.
    (tmp_path / "README.txt").write_text("留着")
    call_command("backup_database", "--dir", str(tmp_path), "--keep", "1")
    assert (tmp_path / "README.txt").exists()
    assert (
        len([p for p in backups.list_backups(tmp_path) if "-media-" not in p.name]) == 1
    )


def call_and_list(directory: Path, *options: str) -> list[Path]:
    call_command("backup_database", "--dir", str(directory), *options)
    return [p for p in backups.list_backups(directory) if "-media-" not in p.name]


# --- PostgreSQL ------------------------------------------------------------------


def postgres_conninfo(settings_dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{quote(password)}" if password else user
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{credentials}@{host}:{port}/{name}"


def postgres_rows(conninfo: str) -> dict[str, list[tuple]]:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(conninfo) as database:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        ]
        return {
            table: sorted(database.execute(f'SELECT * FROM "{table}"'), key=repr)  # noqa: S608
            for table in tables
        }


@pytest.fixture
def fresh_postgres(tmp_path):
    """An empty database beside the test database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    admin_url = postgres_conninfo(settings_dict, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL dump")
def test_postgres_dump_restores_into_a_fresh_database_and_back_in_place(
    school_data, trainee, other_trainee, fresh_postgres, tmp_path
):
    settings_dict = connection.settings_dict
    live = postgres_conninfo(settings_dict, settings_dict["NAME"])
    before = postgres_rows(live)

    backup = backups.backup_database(tmp_path)
    assert backup.name.startswith("gridschool-postgresql-")
    assert backups.backup_kind(backup) == "postgresql"

    # Into a fresh database: the same rows.
    fresh = backups.Database("postgresql", {**settings_dict, "NAME": fresh_postgres})
    backups.restore_into(backup, fresh)
    assert postgres_rows(postgres_conninfo(settings_dict, fresh_postgres)) == before

    # In place, over a changed database: the rows as they were, every invariant kept.
    change_everything(school_data, trainee, other_trainee)
    assert postgres_rows(live) != before
    # (The SQLite test covers the safety backup; a dump of this database is slow.)
    call_command("restore_database", str(backup), "--yes", "--no-safety-backup")
    assert postgres_rows(live) == before
    assert check_all() == []
