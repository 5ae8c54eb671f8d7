"""motcua — the one-stop shop and public service portal of a Vietnamese province."""
