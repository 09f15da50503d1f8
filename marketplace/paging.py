"""A page of a list that is not a query (Flask-SQLAlchemy's Pagination pages queries):
what the `pager` macro reads, with the asked page number kept within the pages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ListPage:
    page: int
    pages: int
    per_page: int

    @classmethod
    def of(cls, total: int, per_page: int, asked: int | None) -> "ListPage":
        pages = max(1, -(-total // per_page))
        return cls(min(max(asked or 1, 1), pages), pages, per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def take(self, items: list) -> list:
        """This page's share of `items`."""
        return items[self.offset:self.offset + self.per_page]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
