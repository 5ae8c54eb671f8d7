"""Keeping the counters exact: every dossier write replaces the dossier's old contribution by
its new one, in the writer's transaction; `rebuild` recomputes everything from the records
(after a bulk load, or to check)."""

from collections import defaultdict
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.dossiers.models import Dossier, DossierEvent, DossierFile, Pause
from motcua.payments.models import Payment
from motcua.portal.models import Feedback, Rating

from .facts import Facts, contribution, facts_of, local_day
from .models import BALANCE_DAY, COUNTERS, DossierTally, Tally

FIELDS = (
    "pk",
    "receiving_agency_id",
    "procedure_id",
    "state",
    "channel",
    "received_at",
    "due_at",
    "result_ready_at",
    "finished_at",
    "supplement_requests",
    "fee_due",
    "fee_paid",
)
INPUT_PURPOSES = (DossierFile.Purpose.INPUT, DossierFile.Purpose.SUPPLEMENT)

Key = tuple[str, date, int, int]  # grain, day, agency, procedure (0: all)


def _month(day: date) -> date:
    return day.replace(day=1)


POSITION = {name: i for i, name in enumerate(COUNTERS)}
BALANCED = frozenset({"ip_delta", "od_delta"})


def new_rows() -> dict[Key, list[int]]:
    return defaultdict(lambda: [0] * len(COUNTERS))


def _rows_for(agency: int, procedure: int, amounts: dict[tuple[int, str], int], sign: int, out):
    """Spread {(day ordinal, counter): n} over the four rows each day feeds."""
    for (ordinal, counter), n in amounts.items():
        day = date.fromordinal(ordinal)
        month = _month(day)
        i = POSITION[counter]
        for key in (
            ("d", day, agency, procedure),
            ("d", day, agency, 0),
            ("m", month, agency, procedure),
            ("m", month, agency, 0),
        ):
            out[key][i] += sign * n
        if counter in BALANCED:
            # Stocks read the balance less the days after the moment asked for, so a page
            # of this month never sums the whole history.
            out[("b", BALANCE_DAY, agency, procedure)][i] += sign * n
            out[("b", BALANCE_DAY, agency, 0)][i] += sign * n


def _upsert(rows: dict[Key, list[int]]) -> None:
    """Add to the counters of these rows, creating them as needed, in one statement.

    Rows go in key order, so two writers touching the same rows lock them in the same order.
    """
    rows = {k: v for k, v in rows.items() if any(v)}
    if not rows:
        return
    table = connection.ops.quote_name(Tally._meta.db_table)
    cols = ["grain", "day", "agency_id", "procedure_id", *COUNTERS]
    values, params = [], []
    for key in sorted(rows):
        counts = rows[key]
        values.append("(" + ", ".join(["%s"] * len(cols)) + ")")
        params.extend([*key, *counts])
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join(values)} "
        f"ON CONFLICT (grain, day, agency_id, procedure_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _paid_online():
    return Payment.objects.filter(method=Payment.Method.ONLINE, status=Payment.Status.PAID)


def _facts_query(dossier_id: int):
    open_pause = Pause.objects.filter(dossier=OuterRef("pk"), ended_at__isnull=True)
    return (
        Dossier.objects.filter(pk=dossier_id)
        .annotate(
            has_inputs=Exists(
                DossierFile.objects.filter(dossier=OuterRef("pk"), purpose__in=INPUT_PURPOSES)
            ),
            has_result=Exists(
                DossierFile.objects.filter(
                    dossier=OuterRef("pk"), purpose=DossierFile.Purpose.RESULT
                )
            ),
            pause_started=Subquery(open_pause.order_by("-started_at").values("started_at")[:1]),
            rated=Exists(Rating.objects.filter(dossier=OuterRef("pk"))),
            negative=Exists(Rating.objects.filter(dossier=OuterRef("pk"), is_negative=True))
            | Exists(Feedback.objects.filter(dossier=OuterRef("pk"))),
            paid_online=Exists(_paid_online().filter(dossier=OuterRef("pk"))),
            old=Subquery(DossierTally.objects.filter(dossier_id=OuterRef("pk")).values("facts")),
        )
        .values(*FIELDS, *ASKED)
        .order_by()[:1]
    )


ASKED = ("has_inputs", "has_result", "pause_started", "rated", "negative", "paid_online", "old")
MOMENTS = ("received_at", "due_at", "result_ready_at", "finished_at", "pause_started")
_SENTINEL = -7_000_000_000_001  # stands for the dossier's id in the compiled statement
_compiled: dict[str, tuple[str, list, int]] = {}


def _statement(dossier_id: int) -> tuple[str, list]:
    """The facts query as SQL, compiled once per database: building it through the ORM cost
    3 ms of a reception's 20, thirty times the query itself."""
    entry = _compiled.get(connection.alias)
    if entry is None:
        sql, params = _facts_query(_SENTINEL).query.get_compiler(connection.alias).as_sql()
        params = list(params)
        entry = _compiled[connection.alias] = (sql, params, params.index(_SENTINEL))
    sql, params, at = entry
    params = list(params)
    params[at] = dossier_id
    return sql, params


def _moment(value):
    # SQLite hands datetimes back as text in UTC; PostgreSQL as aware datetimes.
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _single_facts(dossier_id: int) -> tuple[Facts | None, str | None]:
    """(new facts, the stored old facts) of one dossier, in one query."""
    sql, params = _statement(dossier_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
        if found is None:
            return None, None
        row = dict(zip((c[0] for c in cursor.description), found, strict=True))
    for name in MOMENTS:
        row[name] = _moment(row[name])
    return facts_of(row), row["old"]


def refresh(dossier_id: int) -> None:
    """Bring one dossier's contribution up to date (inside the writer's transaction)."""
    new, old_text = _single_facts(dossier_id)
    new_text = new.encode() if new else None
    if new_text == old_text:
        return
    rows = new_rows()
    if old_text:
        old = Facts.decode(old_text)
        _rows_for(old.agency, old.procedure, contribution(old), -1, rows)
    if new is not None:
        _rows_for(new.agency, new.procedure, contribution(new), 1, rows)
    _upsert(rows)
    if new_text is None:
        DossierTally.objects.filter(dossier_id=dossier_id).delete()
    elif old_text is None:
        DossierTally.objects.create(dossier_id=dossier_id, facts=new_text)
    else:
        DossierTally.objects.filter(dossier_id=dossier_id).update(facts=new_text)


def on_dossier_changed(sender, dossier, event=None, **kwargs) -> None:
    if dossier.received_at is None:
        return  # never received: counts nowhere, and no earlier contribution to take back
    refresh(dossier.pk)
    if event is not None and event.action == "apologize":
        # Apology letters are counted on the day they are issued; events are never edited.
        rows = new_rows()
        day = local_day(event.at).toordinal()
        amounts = {(day, "apologies"): 1}
        _rows_for(dossier.receiving_agency_id, dossier.procedure_id, amounts, 1, rows)
        _upsert(rows)


def on_opinion_changed(sender, instance, **kwargs) -> None:
    dossier_id = getattr(instance, "dossier_id", None)
    if dossier_id is None:
        return
    with transaction.atomic():
        # The dossier's row lock orders this against a transition of the same dossier.
        Dossier.objects.select_for_update().filter(pk=dossier_id).exists()
        if DossierTally.objects.filter(dossier_id=dossier_id).exists():
            refresh(dossier_id)


# --- rebuild -------------------------------------------------------------------------------

CHUNK = 20_000


def _range_facts(lo: int, hi: int) -> list[tuple[int, Facts | None]]:
    """Facts of the dossiers with lo <= pk < hi, with four range queries, not one per row."""
    rows = list(
        Dossier.objects.filter(pk__gte=lo, pk__lt=hi, received_at__isnull=False)
        .order_by()
        .values(*FIELDS)
    )
    if not rows:
        return []
    in_range = Q(dossier_id__gte=lo, dossier_id__lt=hi)
    files = defaultdict(set)
    for dossier_id, purpose in (
        DossierFile.objects.filter(in_range).order_by().values_list("dossier_id", "purpose")
    ).distinct():
        files[dossier_id].add(purpose)
    pauses = dict(
        Pause.objects.filter(in_range, ended_at__isnull=True)
        .order_by("started_at")
        .values_list("dossier_id", "started_at")
    )
    ratings = dict(Rating.objects.filter(in_range).values_list("dossier_id", "is_negative"))
    complained = set(Feedback.objects.filter(in_range).values_list("dossier_id", flat=True))
    paid_online = set(_paid_online().filter(in_range).values_list("dossier_id", flat=True))
    out = []
    for row in rows:
        pk = row["pk"]
        kinds = files.get(pk, ())
        row["has_inputs"] = any(p in kinds for p in INPUT_PURPOSES)
        row["has_result"] = DossierFile.Purpose.RESULT in kinds
        row["pause_started"] = pauses.get(pk)
        row["rated"] = pk in ratings
        row["negative"] = bool(ratings.get(pk)) or pk in complained
        row["paid_online"] = pk in paid_online
        out.append((pk, facts_of(row)))
    return out


def rebuild(progress=None) -> int:
    """Recompute every counter and every dossier's stored facts from the records."""
    rows = new_rows()
    ids = Dossier.objects.values_list("pk", flat=True)
    first, last = ids.order_by("pk").first(), ids.order_by("-pk").first()
    counted = 0
    with transaction.atomic():
        with connection.cursor() as cursor:  # no per-row signals for millions of rows
            for model in (Tally, DossierTally):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        if first is not None:
            for lo in range(first, last + 1, CHUNK):
                stored = []
                for pk, f in _range_facts(lo, lo + CHUNK):
                    if f is None:
                        continue
                    _rows_for(f.agency, f.procedure, contribution(f), 1, rows)
                    stored.append((pk, f.encode()))
                _insert_facts(stored)
                counted += len(stored)
                if progress:
                    progress(min(last, lo + CHUNK - 1) - first + 1, last - first + 1)
        apologies = (
            DossierEvent.objects.filter(action="apologize")
            .annotate(day=TruncDate("at", tzinfo=timezone.get_default_timezone()))
            .values_list("dossier__receiving_agency_id", "dossier__procedure_id", "day")
        )
        for agency, procedure, day in apologies.iterator(chunk_size=5000):
            _rows_for(agency, procedure, {(day.toordinal(), "apologies"): 1}, 1, rows)
        _insert_rows([(*key, *counts) for key, counts in sorted(rows.items()) if any(counts)])
    return counted


# Plain multi-row INSERTs: the rebuild writes millions of rows, and building a model instance
# for each costs more than the database's own work.
def _insert(table: str, columns: list[str], rows: list[tuple], batch: int) -> None:
    table = connection.ops.quote_name(table)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(
                [one] * len(chunk)
            )
            cursor.execute(sql, [v for row in chunk for v in row])


def _insert_rows(rows: list[tuple]) -> None:
    columns = ["grain", "day", "agency_id", "procedure_id", *COUNTERS]
    # SQLite allows 32,766 parameters a statement; a row has 27.
    _insert(Tally._meta.db_table, columns, rows, 1000)


def _insert_facts(rows: list[tuple]) -> None:
    _insert(DossierTally._meta.db_table, ["dossier_id", "facts"], rows, 5000)
