import pytest
from django.utils import timezone

from motcua.demo.generator.run import generate
from motcua.monitoring import tally


@pytest.fixture
def history(demo_province):
    """A year of dossiers in the demo province (bulk path, then the counters rebuilt)."""
    generate(
        dossiers=160,
        years=1,
        seed=11,
        path="bulk",
        communes_per_district=1,
        citizens=10,
        progress=False,
    )
    tally.rebuild()
    return timezone.now()
