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


class GeneratorChunk(models.Model):
    """A share of a run made by one worker process: dossiers [start, stop) in the order of
    the plans, whole days each (so no two workers number codes on the same day), with the ids
    it hands out kept within its own block."""

    run = models.ForeignKey(GeneratorRun, on_delete=models.CASCADE, related_name="chunks")
    start = models.PositiveIntegerField()
    stop = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    id_base = models.JSONField(default=dict)  # model label → the first id of the block

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.run}: {self.start}–{self.stop} at {self.done}"
