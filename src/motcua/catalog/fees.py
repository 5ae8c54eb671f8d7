"""Fee formulas: fixed, per unit, and tiered with a cap (Circular 226/2016/TT-BTC style)."""

from django.utils.translation import gettext as _


def compute_fee(formula: str, amount: int, tiers: list, cap: int | None, quantity: int) -> int:
    """Amount in đồng. Tiered: each unit is priced by the tier its ordinal falls in.

    Certified copies: 2,000 đ for pages 1–2, 1,000 đ from page 3, at most 200,000 đ a copy:
    tiers [{"from": 1, "to": 2, "amount": 2000}, {"from": 3, "amount": 1000}], cap 200000.
    """
    if quantity < 0:
        raise ValueError(_("Số lượng không được âm."))
    if formula == "fixed":
        total = amount
    elif formula == "per_unit":
        total = amount * quantity
    elif formula == "tiered":
        total = 0
        for tier in tiers:
            low = int(tier["from"])
            high = int(tier["to"]) if tier.get("to") is not None else quantity
            units = max(0, min(high, quantity) - low + 1)
            total += units * int(tier["amount"])
    else:
        raise ValueError(_("Cách tính phí không hợp lệ: %(f)s") % {"f": formula})
    if cap is not None:
        total = min(total, cap)
    return total


def validate_tiers(tiers) -> list[dict]:
    """Check tiers are contiguous from 1, ascending, each with a non-negative amount."""
    if not isinstance(tiers, list) or not tiers:
        raise ValueError(_("Cách tính theo bậc cần ít nhất một bậc."))
    expected = 1
    clean = []
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            raise ValueError(_("Bậc %(n)s không hợp lệ.") % {"n": i + 1})
        try:
            low = int(tier.get("from"))
            high = None if tier.get("to") in (None, "") else int(tier["to"])
            amount = int(tier.get("amount"))
        except (TypeError, ValueError):
            raise ValueError(_("Bậc %(n)s cần các số from, to, amount.") % {"n": i + 1}) from None
        if low != expected or amount < 0 or (high is not None and high < low):
            raise ValueError(_("Bậc %(n)s phải nối tiếp từ %(e)s.") % {"n": i + 1, "e": expected})
        if high is None and i != len(tiers) - 1:
            raise ValueError(_("Chỉ bậc cuối cùng được để trống giới hạn trên."))
        clean.append({"from": low, "to": high, "amount": amount})
        expected = (high or low) + 1
    return clean
