"""Per-day and per-month counters of dossiers, kept exact by every write (see tally.py)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The counters of one (grain, day, agency, procedure) row. "Flows" count what happened on the
# day; the two "_delta" counters are +1 when a span opens and -1 when it closes, so that their
# sum over every day up to D is the stock at the end of D (in progress; overdue and open).
COUNTERS = (
    "received",
    "received_online",
    "received_post",
    "online_e_result",
    "digitized",
    "fee_bearing",
    "fee_paid",
    "fee_paid_online",
    "finished",
    "early",
    "on_time",
    "late",
    "ended_result",
    "ended_rejected",
    "ended_withdrawn",
    "handling_seconds",
    "e_result",
    "dissatisfied",
    "rated",
    "negative",
    "apologies",
    "ip_delta",
    "od_delta",
)


BALANCE_DAY = date(2000, 1, 1)


class Tally(models.Model):
    """Counters of the dossiers received by one agency, for one day or one month.

    procedure_id 0 is the agency's total over all procedures, so that a province-wide figure
    reads one row per agency and day, however many procedures there are.
    """

    class Grain(models.TextChoices):
        DAY = "d", _("ngày")
        MONTH = "m", _("tháng")
        BALANCE = "b", _("số dư đến nay")  # the "_delta" counters summed over all days

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the first day of the month for a month row; BALANCE_DAY for b
    agency_id = models.IntegerField()
    procedure_id = models.IntegerField()  # 0: all procedures

    received = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_post = models.IntegerField(default=0)
    online_e_result = models.IntegerField(default=0)
    digitized = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    fee_paid = models.IntegerField(default=0)
    fee_paid_online = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    ended_result = models.IntegerField(default=0)
    ended_rejected = models.IntegerField(default=0)
    ended_withdrawn = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    e_result = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    apologies = models.IntegerField(default=0)
    ip_delta = models.IntegerField(default=0)
    od_delta = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "agency_id", "procedure_id"], name="tally_key"
            )
        ]
        indexes = [
            # The province's pages read the agency totals (procedure 0) of a range of days.
            models.Index(fields=["grain", "procedure_id", "day"], name="tally_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.agency_id}/{self.procedure_id}"


class DossierTally(models.Model):
    """What a dossier last contributed to the counters (its facts, compactly): the next write
    subtracts exactly this before adding the new contribution."""

    dossier_id = models.BigIntegerField(primary_key=True)
    facts = models.CharField(max_length=160)

    class Meta:
        verbose_name = _("đóng góp của hồ sơ vào số liệu")
        verbose_name_plural = _("đóng góp của hồ sơ vào số liệu")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.facts}"


def _percent(**kwargs):
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        **kwargs,
    )


class BandScale(models.Model):
    """The colour bands of every figure: one row, edited by the province's administrator."""

    green_from = _percent(verbose_name=_("xanh (Tốt) từ %"), default=Decimal(90))
    yellow_from = _percent(verbose_name=_("vàng (Khá) từ %"), default=Decimal(70))
    orange_from = _percent(verbose_name=_("cam (Trung bình) từ %"), default=Decimal(50))

    class Meta:
        verbose_name = _("ngưỡng xếp loại màu")
        verbose_name_plural = _("ngưỡng xếp loại màu")

    def __str__(self) -> str:
        return f"{self.green_from} / {self.yellow_from} / {self.orange_from}"

    def clean(self) -> None:
        if not (self.green_from > self.yellow_from > self.orange_from):
            raise ValidationError(
                _("Ngưỡng phải giảm dần: xanh > vàng > cam (phần còn lại là đỏ).")
            )
