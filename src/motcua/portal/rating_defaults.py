"""The default rating scale (the same rows migration 0002 installs): four criteria, three levels."""

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


def install(Criterion=None, Level=None):
    """Add the default criteria and levels that are missing (nothing else is touched)."""
    if Criterion is None:
        from .models import RatingCriterion as Criterion
        from .models import RatingLevel as Level
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
