"""The default rating: four criteria, each rated on three levels (a province changes them)."""

from django.db import migrations

CRITERIA = [
    ("thai-do", "Thái độ phục vụ của cán bộ", "Attitude of the staff"),
    ("thoi-gian", "Thời gian giải quyết", "Time taken"),
    ("thu-tuc", "Thủ tục, hồ sơ phải nộp", "The procedure and the papers asked for"),
    ("ket-qua", "Kết quả giải quyết", "The result"),
]
LEVELS = [
    ("rat-hai-long", "Rất hài lòng", "Very satisfied", 2, False),
    ("hai-long", "Hài lòng", "Satisfied", 1, False),
    ("khong-hai-long", "Không hài lòng", "Not satisfied", 0, True),
]


def add(apps, schema_editor):
    Criterion = apps.get_model("portal", "RatingCriterion")
    Level = apps.get_model("portal", "RatingLevel")
    for order, (code, name, name_en) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
    for order, (code, name, name_en, score, negative) in enumerate(LEVELS):
        Level.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "score": score,
                "is_negative": negative,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
