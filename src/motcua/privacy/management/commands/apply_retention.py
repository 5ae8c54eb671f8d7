from django.core.management.base import BaseCommand

from motcua.privacy.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the retention periods of MOTCUA['RETENTION']: anonymize finished dossiers and "
        "stale drafts, erase their files, delete old access records, strip old feedback's "
        "sender. Counts only, unless --apply is given (what it does cannot be undone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="do it, not only count")

    def handle(self, *args, **options):
        dry_run = not options["apply"]
        report = apply_retention(dry_run=dry_run)
        verb = "sẽ xử lý (chạy thử)" if dry_run else "đã xử lý"
        self.stdout.write(f"Hồ sơ đã kết thúc ẩn danh hóa, {verb}: {report.dossiers}")
        self.stdout.write(f"Hồ sơ nháp quá hạn ẩn danh hóa, {verb}: {report.drafts}")
        self.stdout.write(f"Tệp xóa khỏi kho lưu trữ, {verb}: {report.files}")
        self.stdout.write(f"Lượt truy cập dữ liệu cá nhân xóa, {verb}: {report.access_records}")
        self.stdout.write(f"Phản ánh bỏ thông tin người gửi, {verb}: {report.feedback}")
        for code in report.skipped:
            self.stderr.write(f"Bỏ qua {code}: nhật ký hồ sơ không toàn vẹn (verify_audit).")
        if dry_run:
            self.stdout.write("Chạy lại với --apply để thực hiện.")
