"""The PostgreSQL database a bench runs on: one of its own, made fresh each run."""

from urllib.parse import urlsplit, urlunsplit

import pytest


def fresh_postgres_database(url: str) -> str:
    """Drop and create the database ``url`` names, empty; skip when no server answers."""
    psycopg = pytest.importorskip("psycopg")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {admin_url}: {error}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return url
