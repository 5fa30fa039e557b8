"""What the settings work out for themselves, each checked in a fresh process, as a
shell, a job or a web worker would start: SITE_URL, the run settings' signing key,
the cache the processes of one host share, seed_demo under production settings."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"
MACHINE_SPECIFIC = (
    "DJANGO_SETTINGS_MODULE",
    "SITE_URL",
    "PORT",
    "SECRET_KEY",
    "REDIS_URL",
    "DATABASE_URL",
    "SQLITE_PATH",
)


def manage(*args: str, var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` in a new process, with this machine's settings variables
    dropped and `env` (and GRIDSCHOOL_VAR_DIR=var_dir) set instead."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in MACHINE_SPECIFIC
    }
    environment.update(GRIDSCHOOL_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def printed(code: str, *, var_dir: Path, **env: str) -> str:
    result = manage("shell", "--no-imports", "-c", code, var_dir=var_dir, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SITE_URL = "from django.conf import settings; print(settings.SITE_URL)"


def test_a_shell_started_with_a_port_points_at_the_server_on_that_port(tmp_path):
    assert printed(SITE_URL, var_dir=tmp_path, PORT="9000") == "http://127.0.0.1:9000"


def test_site_url_is_the_local_server_on_port_8000_when_nothing_is_set(tmp_path):
    assert printed(SITE_URL, var_dir=tmp_path) == "http://127.0.0.1:8000"


def test_a_configured_site_url_wins_over_the_port(tmp_path):
    url = printed(
        SITE_URL,
        var_dir=tmp_path,
        PORT="9000",
        SITE_URL="https://gridschool.example.org/",
        DJANGO_SETTINGS_MODULE="school.settings.run",
    )
    assert url == "https://gridschool.example.org"


def test_bin_serve_leaves_site_url_to_the_settings():
    script = (Path(settings.BASE_DIR) / "bin" / "serve").read_text()
    assert "SITE_URL=" not in script
    assert "export PORT" in script


def test_run_settings_make_a_private_signing_key_once_and_reuse_it(tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.SECRET_KEY, settings.DEBUG, sorted(settings.ALLOWED_HOSTS))"
    )
    run = {"DJANGO_SETTINGS_MODULE": "school.settings.run"}
    first = printed(code, var_dir=tmp_path, **run)
    second = printed(code, var_dir=tmp_path, **run)
    key, debug, hosts = first.split(" ", 2)
    assert first == second
    assert len(key) >= 50
    assert debug == "False"
    assert hosts == "['127.0.0.1', 'localhost']"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_processes_of_one_host_share_the_cache_without_redis(tmp_path):
    run = {"DJANGO_SETTINGS_MODULE": "school.settings.run"}
    printed(
        "from django.core.cache import cache; cache.set('shared', 'yes', 60)",
        var_dir=tmp_path,
        **run,
    )
    seen = printed(
        "from django.core.cache import cache; print(cache.get('shared'))",
        var_dir=tmp_path,
        **run,
    )
    assert seen == "yes"
    assert (tmp_path / "cache").is_dir()


def test_seed_demo_refuses_to_run_under_production_settings(tmp_path):
    result = manage(
        "seed_demo",
        "--skip-checks",
        var_dir=tmp_path,
        DJANGO_SETTINGS_MODULE="school.settings.production",
        SECRET_KEY="x" * 60,
        SITE_URL="https://gridschool.example.org",
    )
    assert result.returncode != 0
    assert "GRIDSCHOOL_DEMO_ALLOWED" in result.stderr
    assert "--force" in result.stderr


def test_production_settings_refuse_to_guess_the_public_address(tmp_path):
    result = manage(
        "check",
        var_dir=tmp_path,
        DJANGO_SETTINGS_MODULE="school.settings.production",
        SECRET_KEY="x" * 60,
        PORT="9000",
    )
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr
