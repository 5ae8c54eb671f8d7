"""A paginator for lists that grow with the province's whole history."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. The exact size of "all dossiers" costs the database a pass
    over every dossier ever received, on every page view, and no officer pages that far: past
    the cap the page says "more than 10,000" and offers the first 200 pages; filters narrow."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered: with the page's ORDER BY inside, the database sorts every row before it
        # can stop at the cap.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
