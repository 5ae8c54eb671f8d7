"""Fees and their payment: at the counter, or online through a payment gateway (C8)."""
