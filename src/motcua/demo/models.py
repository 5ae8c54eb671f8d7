"""Bookkeeping of the data generator, so a run can be resumed and repeated safely."""

from django.db import models


class GeneratorRun(models.Model):
    """One generated history: its seed, its size and period, and how far it has got."""

    seed = models.IntegerField(unique=True)
    dossiers = models.PositiveIntegerField()
    years = models.PositiveSmallIntegerField()
    end_at = models.DateTimeField()
    generated = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=10, default="bulk")

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.generated}/{self.dossiers}"
