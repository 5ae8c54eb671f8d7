"""Fee formulas as a counter officer would compute them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.fees import compute_fee, validate_tiers

COPY_TIERS = [{"from": 1, "to": 2, "amount": 2000}, {"from": 3, "amount": 1000}]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [(0, 0), (1, 2000), (2, 4000), (3, 5000), (10, 12000), (198, 200000), (500, 200000)],
)
def test_certified_copy_fee_per_circular_226(pages, expected):
    assert compute_fee("tiered", 0, COPY_TIERS, 200000, pages) == expected


def test_fixed_and_per_unit():
    assert compute_fee("fixed", 50000, [], None, 7) == 50000
    assert compute_fee("per_unit", 8000, [], None, 3) == 24000


@given(st.integers(min_value=0, max_value=10_000))
def test_tiered_fee_never_exceeds_cap_and_grows(pages):
    fee = compute_fee("tiered", 0, COPY_TIERS, 200000, pages)
    assert 0 <= fee <= 200000
    assert compute_fee("tiered", 0, COPY_TIERS, 200000, pages + 1) >= fee


def test_bad_tiers_are_refused_with_a_message():
    with pytest.raises(ValueError, match="nối tiếp"):
        validate_tiers([{"from": 2, "amount": 1000}])
    with pytest.raises(ValueError, match="bậc cuối"):
        validate_tiers([{"from": 1, "amount": 1}, {"from": 2, "to": 3, "amount": 1}])
    with pytest.raises(ValueError):
        compute_fee("fixed", 1, [], None, -1)
