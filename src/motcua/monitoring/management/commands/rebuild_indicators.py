import sys
import time

from django.core.management.base import BaseCommand

from motcua.monitoring import tally


def rebuild_indicators(progress: bool = True, out=sys.stdout) -> int:
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        out.write(f"\r  chỉ số: {done * 100 // max(total, 1)}% ")
        out.flush()

    counted = tally.rebuild(progress=show if progress else None)
    if progress:
        out.write(f"\r  chỉ số: {counted:,} hồ sơ trong {time.monotonic() - started:.0f} s\n")
    return counted


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu chỉ số từ hồ sơ (sau khi nạp dữ liệu hàng loạt)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Chỉ tính khi chưa có số liệu (dùng cho dữ liệu đo hiệu năng giữ lại).",
        )

    def handle(self, *args, **opts):
        from motcua.monitoring.models import Tally

        if opts["if_empty"] and Tally.objects.exists():
            self.stdout.write("Đã có số liệu: không tính lại.")
            return
        counted = rebuild_indicators(progress=opts["verbosity"] > 0, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{counted:,} hồ sơ đã tính vào số liệu."))
