import time
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
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


def refuse_outside_a_demo() -> None:
    """Raise CommandError where demo data does not belong: seed_demo creates a
    superuser whose password the README publishes. Refused under settings that do
    not allow it (GRIDSCHOOL_DEMO_ALLOWED, off in production) and in a database that
    real people use (accounts seed_demo did not create) before it was ever seeded;
    re-seeding a demo database creates no new superuser and stays allowed."""
    if not getattr(settings, "GRIDSCHOOL_DEMO_ALLOWED", False):
        raise CommandError(
            "拒绝载入演示数据：当前是生产配置（GRIDSCHOOL_DEMO_ALLOWED 为关闭）。"
            "演示数据会创建一个密码公开的超级管理员账号。确需载入请加 --force。\n"
            "Refusing to load demo data: these settings are for production "
            "(GRIDSCHOOL_DEMO_ALLOWED is off). The demo data creates a superuser "
            "whose password is published. Add --force if you really mean it."
        )
    if demo.is_seeded():
        return
    real = demo.accounts_not_from_demo()
    if real:
        phones = "、".join(real)
        raise CommandError(
            f"拒绝载入演示数据：数据库中已有真实用户（如 {phones}），"
            "演示数据会创建一个密码公开的超级管理员账号。确需载入请加 --force。\n"
            f"Refusing to load demo data: the database already has real users "
            f"(e.g. {', '.join(real)}), and the demo data creates a superuser whose "
            "password is published. Add --force if you really mean it."
        )


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
        parser.add_argument(
            "--force",
            action="store_true",
            help="在生产配置下或已有真实用户的数据库中仍然载入（慎用）",
        )

    def handle(self, *args, **options):
        if not options["force"]:
            refuse_outside_a_demo()
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
