import time
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from school import demo

Seeder = Callable[[dict[str, Any]], str]


def demo_seeders() -> Iterator[tuple[AppConfig, Seeder]]:
    """Each installed app's `demo.seed(options) -> summary`, in INSTALLED_APPS
    order, which follows the layering (school, courses, certificates …): an app's
    seeder may rely on the data of the apps before it.

    Discovered like Django's admin modules, so that school never imports the apps
    built on it and a new app takes part by adding `<app>/demo.py` with `seed`.
    """
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "demo"):
            continue
        seeder = getattr(import_module(f"{config.name}.demo"), "seed", None)
        if callable(seeder):
            yield config, seeder


class Command(BaseCommand):
    help = (
        "载入演示数据：组织架构、两所学校、21 个实践教学点、各角色演示账号，"
        "以及各应用的演示数据（课程、培训班、报名……）。可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--trainees",
            type=int,
            default=200,
            help="演示学员人数（默认 200；已存在的不会重复创建）",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        for config, seed in demo_seeders():
            summary = seed(options)
            self.stdout.write(f"  {config.verbose_name}：{summary}")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪（用时 {time.monotonic() - started:.1f} 秒）。"
            )
        )
        self.stdout.write("演示账号（手机号 / 密码）：")
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.role:<6} {account.real_name}  {account.phone} / {demo.DEMO_PASSWORD}"
            )
        self.stdout.write("管理后台：/admin/   学员登录：/accounts/login/")
