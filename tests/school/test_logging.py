"""The production log format: one JSON object per line (school.logging)."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory

from school.logging import JsonFormatter, RequestIdMiddleware

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def render(logger_name: str, emit) -> list[dict]:
    """What `emit(logger)` writes through a JSON handler, parsed line by line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    return [json.loads(line) for line in lines]


def test_a_record_is_one_json_line_with_chinese_intact():
    [entry] = render(
        "gridschool.test",
        lambda log: log.info(
            "学员 %s 预约了 %s", "张三", "夜校第1期", extra={"seats": 3}
        ),
    )
    assert entry["message"] == "学员 张三 预约了 夜校第1期"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "gridschool.test"
    assert entry["seats"] == 3
    assert entry["time"].endswith("+00:00")
    assert "request_id" not in entry


def test_an_exception_stays_on_its_line_with_its_text():
    def emit(log):
        try:
            raise ValueError("证书编号重复")
        except ValueError:
            log.exception("签发失败")

    stream_lines = render("gridschool.test", emit)
    [entry] = stream_lines
    assert entry["message"] == "签发失败"
    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exception"]
    assert "ValueError: 证书编号重复" in entry["exception"]


def test_the_raw_line_keeps_chinese_unescaped_and_has_no_newline():
    record = logging.LogRecord(
        "gridschool.test", logging.WARNING, __file__, 1, "第一行\n第二行", (), None
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "第一行" in line
    assert json.loads(line)["message"] == "第一行\n第二行"


def test_the_request_id_of_the_request_being_served_is_on_every_line():
    lines = []

    def view(request):
        lines.extend(render("gridschool.test", lambda log: log.info("处理中")))
        return None

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="4f1c2a9e8b7d")
    RequestIdMiddleware(view)(request)
    assert lines[0]["request_id"] == "4f1c2a9e8b7d"
    # After the request the id is gone.
    [after] = render("gridschool.test", lambda log: log.info("空闲"))
    assert "request_id" not in after


def test_a_forged_request_id_is_not_written():
    lines = []

    def view(request):
        lines.extend(render("gridschool.test", lambda log: log.info("处理中")))

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID='x" \n{"level": "INFO"}')
    RequestIdMiddleware(view)(request)
    assert "request_id" not in lines[0]


def test_a_django_request_record_carries_its_request_id():
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123")
    [entry] = render(
        "django.request",
        lambda log: log.error(
            "Internal Server Error: /", extra={"request": request, "status_code": 500}
        ),
    )
    assert entry["request_id"] == "abc-123"
    assert entry["status_code"] == 500


def test_production_settings_write_json_lines(tmp_path):
    """A process under the production settings logs JSON to stderr, django-q2 too."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}
    }
    environment.update(
        GRIDSCHOOL_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="school.settings.production",
        SECRET_KEY="x" * 60,
        SITE_URL="https://gridschool.example.org",
    )
    code = (
        "import logging; import django_q.conf; "
        "logging.getLogger('gridschool').warning('证书已签发'); "
        "logging.getLogger('django-q').info('队列已启动')"
    )
    result = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "--no-imports", "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["logger"], e["message"]) for e in entries] == [
        ("gridschool", "证书已签发"),
        ("django-q", "队列已启动"),
    ]
