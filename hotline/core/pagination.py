"""Browser pagination without COUNT(*): big queues must not pay for counting every row."""

from dataclasses import dataclass


@dataclass
class Page:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)


# Beyond this a page number is a typo or a probe: it is shown as the last page there could be (empty).
MAX_PAGE = 1_000_000


def page_number(page: str | int | None) -> int:
    """A 1-based page number from a query parameter: junk is page 1, a huge number is MAX_PAGE."""
    try:
        return min(MAX_PAGE, max(1, int(str(page or 1)[:12])))
    except (TypeError, ValueError):
        return 1


def page_of(queryset, page: str | int | None, size: int = 50) -> Page:
    number = page_number(page)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(object_list=rows[:size], number=number, has_next=len(rows) > size)
