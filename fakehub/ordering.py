"""The Hub's listing order and keyset seeking over it.

Order is sort key descending, `_id` ascending on ties, missing keys last. Row number is `_id`
order, so one stable argsort of the negated key gives the whole order. Orders are cached per table
version; drift and day advances bump the version and the next request sorts again.
"""

from dataclasses import dataclass

import numpy as np

from fakehub.items import iso_time
from fakehub.table import NONE, RepoTable

_COLUMNS = {
    "trendingScore": "trending",
    "downloads": "downloads",
    "likes": "likes",
    "createdAt": "created",
    "lastModified": "modified",
}
_TIME_SORTS = frozenset({"createdAt", "lastModified"})
_SCAN_CHUNK = 8192


@dataclass(frozen=True)
class SortedRows:
    version: int
    rows: np.ndarray  # row numbers in listing order
    negated_keys: np.ndarray  # -key of each, ascending; +inf for a missing key


def sort_value(table: RepoTable, sort: str, row: int) -> float | int | str | None:
    """The key of `row` as a cursor stores it (timestamps in the Hub's ISO spelling)."""
    value = getattr(table, _COLUMNS[sort])[row]
    if sort in _TIME_SORTS:
        return iso_time(int(value))
    if sort == "trendingScore":
        score = float(value)
        return int(score) if score.is_integer() else score
    return None if value == NONE else int(value)


def cursor_key(sort: str, value: float | int | str | None) -> float:
    """A cursor's key as a negated float comparable with SortedRows.negated_keys."""
    if value is None:
        return np.inf
    if sort in _TIME_SORTS:
        if not isinstance(value, str):
            raise ValueError("a time key must be an ISO timestamp")
        return -float(np.datetime64(value.rstrip("Z"), "s").astype(np.int64))
    if isinstance(value, str):
        raise ValueError("a numeric key must be a number")
    return -float(value)


class SortOrders:
    """Cache of each table's listing order per sort key."""

    def __init__(self) -> None:
        self._orders: dict[tuple[str, str], SortedRows] = {}

    def sorted_rows(self, table: RepoTable, sort: str) -> SortedRows:
        cached = self._orders.get((table.repo_type, sort))
        if cached is not None and cached.version == table.version:
            return cached
        keys = getattr(table, _COLUMNS[sort]).astype(np.float64)
        negated = -keys
        if sort in ("downloads", "likes"):
            negated[keys == NONE] = np.inf
        rows = np.argsort(negated, kind="stable")
        order = SortedRows(table.version, rows, negated[rows])
        self._orders[(table.repo_type, sort)] = order
        return order


def first_position(order: SortedRows, negated_key: float, row: int) -> int:
    """Position in `order` of the first item after the item (key, row)."""
    low = int(np.searchsorted(order.negated_keys, negated_key, side="left"))
    high = int(np.searchsorted(order.negated_keys, negated_key, side="right"))
    return low + int(np.searchsorted(order.rows[low:high], row, side="right"))


def take_rows(order: SortedRows, start: int, wanted: np.ndarray, count: int) -> list[int]:
    """The first `count` rows from position `start` on whose `wanted` mask is set."""
    found: list[int] = []
    position = start
    while position < len(order.rows) and len(found) < count:
        chunk = order.rows[position : position + max(_SCAN_CHUNK, 4 * count)]
        found.extend(int(row) for row in chunk[wanted[chunk]][: count - len(found)])
        position += len(chunk)
    return found
