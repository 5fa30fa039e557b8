"""`manage.py check_invariants`: every invariant of the data, checked in aggregate
queries; prints the violations and exits 1 when any holds not (for cron, CI and
after a restore)."""

from django.core.management.base import BaseCommand, CommandError

from operations.invariants import check_all


class Command(BaseCommand):
    help = "检查数据不变式（座位、证书、积分、后台任务）；有违反时列出并以 1 退出。"

    def handle(self, *args, **options) -> None:
        problems = check_all()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} invariant violation(s)", returncode=1)
        self.stdout.write(self.style.SUCCESS("所有不变式均成立。"))
