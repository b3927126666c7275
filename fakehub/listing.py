"""What one listing request asks for (query parsing and validation) and which repos answer it.

Validation follows the Hub: unknown `sort` or `expand` values, `expand` combined with
`full`/`config`/`cardData`, an empty or foreign `cursor` all get HTTP 400. `limit` is capped by
`--page-cap` (and `--max-limit-with-expand` when fields are expanded). A cursor decides the sort
and position even when other parameters are present.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from multidict import MultiMapping

from fakehub.cursor import Cursor, InvalidCursorError, decode_cursor
from fakehub.errors import HubError
from fakehub.fields import DEFAULT_FIELDS, EXPAND_VALUES, FULL_FIELDS, SORT_KEYS
from fakehub.hub import SyntheticHub
from fakehub.ordering import SortOrders, cursor_key, first_position, sort_value, take_rows

_TRUE = frozenset({"true", "True", "1"})
_FALSE = frozenset({"false", "False", "0"})


@dataclass(frozen=True)
class ListingQuery:
    repo_type: str
    sort: str
    cursor: Cursor | None
    limit: int
    fields: tuple[str, ...]
    author: str | None = None
    search: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    gated: bool | None = None

    @property
    def page(self) -> int:
        """1-based number of the page asked for within its walk."""
        return 1 if self.cursor is None else self.cursor.page


@dataclass(frozen=True)
class Page:
    rows: list[int]
    next_cursor: Cursor | None


def parse_listing_query(
    repo_type: str, query: MultiMapping[str], page_cap: int, expand_cap: int | None
) -> ListingQuery:
    """Validate a listing's query string; raise HubError(400) the way the Hub would."""
    sort = query.get("sort", SORT_KEYS[repo_type][0])
    if sort not in SORT_KEYS[repo_type]:
        raise HubError(400, f'"sort" must be one of [{", ".join(SORT_KEYS[repo_type])}]')
    cursor = _parse_cursor(repo_type, query)
    if cursor is not None:
        sort = cursor.sort
    fields, expanded = _parse_fields(repo_type, query)
    limit = min(page_cap, expand_cap or page_cap) if expanded else page_cap
    if "limit" in query:
        try:
            asked = int(query["limit"])
        except ValueError:
            raise HubError(400, '"limit" must be a number') from None
        if asked < 1:
            raise HubError(400, '"limit" must be greater than or equal to 1')
        limit = min(limit, asked)
    return ListingQuery(
        repo_type=repo_type,
        sort=sort,
        cursor=cursor,
        limit=limit,
        fields=fields,
        author=query.get("author"),
        search=query.get("search"),
        pipeline_tag=query.get("pipeline_tag"),
        tags=tuple(query.getall("filter", ())),
        gated=_parse_flag(query, "gated"),
    )


def _parse_cursor(repo_type: str, query: Mapping[str, str]) -> Cursor | None:
    if "cursor" not in query:
        return None
    text = query["cursor"]
    if not text:
        raise HubError(400, '"cursor" is not allowed to be empty')
    try:
        cursor = decode_cursor(text)
        cursor_key(cursor.sort, cursor.key)
    except (InvalidCursorError, ValueError):
        raise HubError(400, "Invalid cursor") from None
    if cursor.sort not in SORT_KEYS[repo_type]:
        raise HubError(400, "Invalid cursor")
    return cursor


def _parse_flag(query: Mapping[str, str], name: str) -> bool | None:
    if name not in query:
        return None
    if query[name] in _TRUE:
        return True
    if query[name] in _FALSE:
        return False
    raise HubError(400, f'"{name}" must be a boolean')


def _parse_fields(repo_type: str, query: MultiMapping[str]) -> tuple[tuple[str, ...], bool]:
    """The properties each item carries, and whether more than the default set was asked for."""
    expand = [*query.getall("expand", ()), *query.getall("expand[]", ())]
    extras = [name for name in ("config", "cardData") if _parse_flag(query, name)]
    full = bool(_parse_flag(query, "full"))
    if expand:
        if full or extras:
            raise HubError(400, '"expand" cannot be combined with "full", "config" or "cardData"')
        unknown = [value for value in expand if value not in EXPAND_VALUES[repo_type]]
        if unknown:
            allowed = ", ".join(EXPAND_VALUES[repo_type])
            raise HubError(400, f'"expand" value "{unknown[0]}" must be one of [{allowed}]')
        return tuple(dict.fromkeys(["_id", "id", *expand])), True
    base = FULL_FIELDS[repo_type] if full else DEFAULT_FIELDS[repo_type]
    return tuple(dict.fromkeys([*base, *extras])), full or bool(extras)


def matching_rows(hub: SyntheticHub, query: ListingQuery, token_owner: str | None) -> np.ndarray:
    """Mask of the rows the caller may see that pass the query's filters."""
    repo_type = query.repo_type
    table = hub.tables[repo_type]
    mask = hub.visible(repo_type, token_owner)
    if query.author is not None:
        mask &= hub.author_mask(repo_type, query.author)
    if query.pipeline_tag is not None:
        mask &= hub.pipeline_mask(repo_type, query.pipeline_tag)
    if query.search:
        mask &= hub.search_mask(repo_type, query.search)
    for tag in query.tags:
        mask &= hub.tag_mask(repo_type, tag)
    if query.gated is not None:
        mask &= (table.gated != 0) == query.gated
    return mask


def select_page(
    hub: SyntheticHub,
    orders: SortOrders,
    query: ListingQuery,
    token_owner: str | None,
    *,
    size: int,
    announce_empty_last: bool = False,
) -> Page:
    """The next `size` matching repos from the query's position, and the cursor after them.

    With `announce_empty_last`, a final non-empty page still links to an empty one."""
    table = hub.tables[query.repo_type]
    order = orders.sorted_rows(table, query.sort)
    start = 0
    if query.cursor is not None:
        row = table.row_of(query.cursor.object_id)
        if row is None:
            raise HubError(400, "Invalid cursor")
        start = first_position(order, cursor_key(query.sort, query.cursor.key), row)
    rows = take_rows(order, start, matching_rows(hub, query, token_owner), size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not rows or not (more or announce_empty_last):
        return Page(rows, None)
    last = rows[-1]
    cursor = Cursor(
        sort=query.sort,
        key=sort_value(table, query.sort, last),
        object_id=table.object_id(last),
        page=query.page + 1,
    )
    return Page(rows, cursor)
