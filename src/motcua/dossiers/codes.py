"""Dossier codes `{agency code}-{yymmdd}-{seq}`: sequential per agency per day, never twice.

One statement takes the next number: it inserts the day's counter or, when it exists, adds one
to it, and returns the value. The row stays locked until the reception commits, so two
officers receiving at the same instant get consecutive numbers; a rolled-back reception takes
its number back with it. A duplicate is impossible (unique code).
"""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from motcua.org.models import Agency

from .models import CodeCounter


def next_dossier_code(agency: Agency, at: datetime) -> str:
    day = timezone.localtime(at).date()
    q = connection.ops.quote_name
    table, last = q(CodeCounter._meta.db_table), q("last")
    with connection.cursor() as cursor:
        # INSERT … ON CONFLICT … RETURNING: PostgreSQL, and SQLite since 3.35.
        cursor.execute(
            f"INSERT INTO {table} ({q('agency_id')}, {q('day')}, {last}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({q('agency_id')}, {q('day')}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {last}",
            [agency.pk, connection.ops.adapt_datefield_value(day)],
        )
        (seq,) = cursor.fetchone()
    return settings.MOTCUA["DOSSIER_CODE_PATTERN"].format(agency=agency.code, day=day, seq=seq)
