"""The official 2025 and 2026 holiday schedules for public servants (công chức, viên chức).

Sources and what was verified: docs/calendar.md. Each row names the document that set the day;
days fixed by the Labour Code alone cite it.
"""

from datetime import date, timedelta

from django.db import migrations

LAW = "Bộ luật Lao động số 45/2019/QH14, Điều 112"
LAW_OBSERVED = "Bộ luật Lao động số 45/2019/QH14, Điều 111 khoản 3 và Điều 112"
NOTICE_2025 = (
    "Thông báo số 6150/TB-BLĐTBXH (năm 2024) của Bộ Lao động – Thương binh và Xã hội, "
    "thực hiện Công văn số 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ"
)
NEW_YEAR_2026 = (
    "Công văn số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ "
    "(Phó Thủ tướng đồng ý đề xuất của Bộ Nội vụ)"
)
NOTICE_2026 = "Thông báo số 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"

OFF, WORK = "day_off", "working_day"


def _span(first, last, name, decision, special=None):
    """Every day from `first` to `last` inclusive; `special` names some of them differently."""
    special = special or {}
    day, rows = first, []
    while day <= last:
        rows.append((day, OFF, special.get(day, name), decision))
        day += timedelta(days=1)
    return rows


SCHEDULE = [
    # 2025
    (date(2025, 1, 1), OFF, "Tết Dương lịch", LAW),
    *_span(date(2025, 1, 25), date(2025, 2, 2), "Nghỉ Tết Nguyên đán", NOTICE_2025),
    (date(2025, 4, 7), OFF, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", LAW),
    (date(2025, 4, 26), WORK, "Làm bù cho ngày 02/05/2025", NOTICE_2025),
    (date(2025, 4, 30), OFF, "Ngày Chiến thắng (30/4)", LAW),
    (date(2025, 5, 1), OFF, "Ngày Quốc tế Lao động (1/5)", LAW),
    (date(2025, 5, 2), OFF, "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)", NOTICE_2025),
    *_span(date(2025, 5, 3), date(2025, 5, 4), "Nghỉ lễ 30/4 – 1/5", NOTICE_2025),
    *_span(
        date(2025, 8, 30),
        date(2025, 9, 2),
        "Nghỉ lễ Quốc khánh",
        NOTICE_2025,
        {date(2025, 9, 1): "Quốc khánh (ngày liền kề)", date(2025, 9, 2): "Quốc khánh (2/9)"},
    ),
    # 2026
    *_span(
        date(2026, 1, 1),
        date(2026, 1, 4),
        "Nghỉ Tết Dương lịch",
        NEW_YEAR_2026,
        {
            date(2026, 1, 1): "Tết Dương lịch",
            date(2026, 1, 2): "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)",
        },
    ),
    (date(2026, 1, 10), WORK, "Làm bù cho ngày 02/01/2026", NEW_YEAR_2026),
    *_span(date(2026, 2, 14), date(2026, 2, 22), "Nghỉ Tết Nguyên đán", NOTICE_2026),
    (date(2026, 4, 26), OFF, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", LAW),
    (date(2026, 4, 27), OFF, "Nghỉ bù Giỗ Tổ Hùng Vương (trùng Chủ nhật)", LAW_OBSERVED),
    (date(2026, 4, 30), OFF, "Ngày Chiến thắng (30/4)", LAW),
    (date(2026, 5, 1), OFF, "Ngày Quốc tế Lao động (1/5)", LAW),
    (date(2026, 8, 22), WORK, "Làm bù cho ngày 31/08/2026", NOTICE_2026),
    *_span(
        date(2026, 8, 29),
        date(2026, 9, 2),
        "Nghỉ lễ Quốc khánh",
        NOTICE_2026,
        {
            date(2026, 8, 31): "Nghỉ hoán đổi (làm bù thứ Bảy 22/08/2026)",
            date(2026, 9, 1): "Quốc khánh (ngày liền kề)",
            date(2026, 9, 2): "Quốc khánh (2/9)",
        },
    ),
]


def insert_schedule(apps, schema_editor):
    CalendarOverride = apps.get_model("core", "CalendarOverride")
    for day, kind, name, decision in SCHEDULE:
        CalendarOverride.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "decision": decision}
        )


def delete_schedule(apps, schema_editor):
    CalendarOverride = apps.get_model("core", "CalendarOverride")
    CalendarOverride.objects.filter(date__in=[row[0] for row in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(insert_schedule, delete_schedule)]
