"""Dossier codes `{agency code}-{yymmdd}-{seq}`: sequential per agency per day, never twice.

The counter row is created if missing (ignoring a concurrent insert) and then locked for
update, so two officers receiving at the same instant get consecutive numbers. A rolled-back
reception leaves a gap, which the rules allow; a duplicate is impossible (unique code).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motcua.org.models import Agency

from .models import CodeCounter


def next_dossier_code(agency: Agency, at: datetime) -> str:
    day = timezone.localtime(at).date()
    with transaction.atomic():
        CodeCounter.objects.bulk_create(
            [CodeCounter(agency=agency, day=day, last=0)], ignore_conflicts=True
        )
        counter = CodeCounter.objects.select_for_update().get(agency=agency, day=day)
        CodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        seq = counter.last + 1
    return settings.MOTCUA["DOSSIER_CODE_PATTERN"].format(agency=agency.code, day=day, seq=seq)
