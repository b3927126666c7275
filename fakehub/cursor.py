"""Keyset cursors in the Hub's style: base64 of a MongoDB-like `$or` query (URL-encoded in links).

A cursor names a position in (sort key descending, `_id` ascending, nulls last) order: the sort
key and `_id` of the last item served. It is a position, not a snapshot, so items whose key moves
meanwhile are skipped or repeated, exactly like on the Hub. The payload also carries the page
number the cursor leads to, which is how `--fault KIND@PAGE` knows where a walk is.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from fakehub.fields import SORT_KEYS

_SORTS = frozenset(key for keys in SORT_KEYS.values() for key in keys)


class InvalidCursorError(ValueError):
    """The cursor parameter is not one this server wrote."""


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: float | int | str | None  # the sort value of the last item served
    object_id: str  # its _id
    page: int  # the 1-based page number of the page this cursor asks for

    def encode(self) -> str:
        after = {self.sort: self.key, "_id": {"$gt": self.object_id}}
        clauses: list[dict[str, object]] = [after]
        if self.key is not None:
            clauses += [{self.sort: {"$lt": self.key}}, {self.sort: None}]
        payload = json.dumps({"$or": clauses, "page": self.page}, separators=(",", ":"))
        return base64.b64encode(payload.encode()).decode("ascii")


def decode_cursor(text: str) -> Cursor:
    """Parse a cursor parameter; raise InvalidCursorError for anything this server did not write."""
    try:
        payload = json.loads(base64.b64decode(text, validate=True))
        after = payload["$or"][0]
        page = payload["page"]
        object_id = after.pop("_id")["$gt"]
        (sort, key), *rest = after.items()
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InvalidCursorError(str(e)) from e
    valid_key = key is None or isinstance(key, int | float | str)
    if rest or sort not in _SORTS or not valid_key or not isinstance(object_id, str):
        raise InvalidCursorError("unexpected cursor content")
    if not isinstance(page, int) or isinstance(page, bool) or page < 2:
        raise InvalidCursorError("unexpected cursor page")
    return Cursor(sort=sort, key=key, object_id=object_id, page=page)
