import time

from django.core.management.base import BaseCommand

from school import demo


class Command(BaseCommand):
    help = "载入演示数据：组织架构、两所学校、21 个实践教学点、各角色演示账号。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--trainees",
            type=int,
            default=200,
            help="演示学员人数（默认 200；已存在的不会重复创建）",
        )

    def handle(self, *args, trainees: int, **options):
        started = time.monotonic()
        demo.seed_org_tree()
        demo.seed_schools()
        accounts = demo.seed_demo_accounts()
        demo.seed_practice_sites()
        created = demo.seed_trainees(trainees)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪（新建学员 {created} 人，用时 {time.monotonic() - started:.1f} 秒）。"
            )
        )
        self.stdout.write("演示账号（手机号 / 密码）：")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<6} {account.real_name}  {account.phone} / {demo.DEMO_PASSWORD}"
            )
        self.stdout.write("管理后台：/admin/   学员登录：/accounts/login/")
