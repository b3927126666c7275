"""Field rules of a snapshot record: normalize each value to the Hub's type, or say why not.

Each rule takes the raw value (never ``None``: a null is accepted unless the field is required,
since the Hub omits fields a repo does not have) and returns the normalized value, or raises
:class:`InvalidValueError` with a short reason that ends up in ``rejected.jsonl.gz`` and the stats.
Each field of a record names its rule where it is declared (:mod:`hfcrawler.items`);
:func:`validate` applies them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hfcrawler.items import Record

Rule = Callable[[Any], Any]


class InvalidValueError(ValueError):
    """A value that does not have the type or form the Hub documents."""


_HEX24 = re.compile(r"[0-9a-f]{24}")
_BLANK = re.compile(r"\s")
# The Hub's own form; anything else that parses is normalized to it.
_HUB_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_HEX40 = re.compile(r"[0-9a-f]{40}")
# A Hub namespace (user or organization name): word characters, "-" and "."; at most as long as
# the Hub's own clients allow a repo name to be (huggingface_hub's validate_repo_id).
_NAMESPACE = re.compile(r"[\w.-]+")
MAX_NAMESPACE_LENGTH = 96
GATED_VALUES = ("auto", "manual")
AUTHOR_KINDS = ("user", "org")
MAX_ID_LENGTH = 256
MAX_COUNT = 2**63 - 1
# Past this a float cannot hold every integer (a JSON parser may give big integers as floats).
MAX_EXACT_FLOAT = 2**53


NOT_UNICODE = "not valid Unicode (lone surrogate)"


def valid_unicode(value: str) -> bool:
    """Whether a string can be written as UTF-8: JSON's ``"\\ud800"`` escape gives one that
    cannot (a lone surrogate), which the fallback parser accepts."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"expected a string, got {type(value).__name__}")
    if not valid_unicode(value):
        raise InvalidValueError(NOT_UNICODE)
    return value


def repo_id(value: Any) -> str:
    value = text(value)
    # Legacy repos have no namespace ("gpt2"); anything with blanks or absurd length is corrupt.
    if not value or len(value) > MAX_ID_LENGTH or _BLANK.search(value):
        raise InvalidValueError("not a repo id")
    return value


def namespace(value: Any) -> str:
    """A user or organization name, as in a repo id before the "/"."""
    value = text(value)
    if len(value) > MAX_NAMESPACE_LENGTH:
        raise InvalidValueError(f"a user or organization name longer than {MAX_NAMESPACE_LENGTH}")
    if not _is_namespace(value):
        raise InvalidValueError("not a user or organization name (letters, digits, -, _, .)")
    return value


# Remembered by name (short ones only, so the cache stays small): a listing names the same
# authors over and over.
@lru_cache(maxsize=65536)
def _is_namespace(value: str) -> bool:
    return _NAMESPACE.fullmatch(value) is not None


def object_id(value: Any) -> str:
    if not isinstance(value, str) or not _HEX24.fullmatch(value):
        raise InvalidValueError("expected a 24-hex ObjectId")
    return value


def commit_sha(value: Any) -> str:
    if not isinstance(value, str) or not _HEX40.fullmatch(value):
        raise InvalidValueError("expected a 40-hex commit sha")
    return value


def count(value: Any) -> int:
    # bool is an int in Python, but never a count on the Hub.
    if isinstance(value, bool):
        raise InvalidValueError("expected an integer, got bool")
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_EXACT_FLOAT:
        value = int(value)
    if not isinstance(value, int):
        raise InvalidValueError(f"expected an integer, got {type(value).__name__}")
    if value < 0:
        raise InvalidValueError("negative count")
    if value > MAX_COUNT:
        raise InvalidValueError("integer too large")
    return value


def score(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValueError("not a finite number")
    return value


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(f"expected true or false, got {type(value).__name__}")
    return value


def author_kind(value: Any) -> str:
    if value not in AUTHOR_KINDS:
        raise InvalidValueError('expected "user" or "org"')
    return value


def gating(value: Any) -> bool | str:
    if value is False or value in GATED_VALUES:
        return value
    raise InvalidValueError('expected false, "auto" or "manual"')


def timestamp(value: Any) -> str:
    """Normalize to the Hub's form, ``2024-02-19T11:06:12.000Z`` (UTC, milliseconds)."""
    value = text(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValueError("not an ISO-8601 timestamp") from None
    if _HUB_TIME.fullmatch(value):
        return value
    if moment.tzinfo is None:
        raise InvalidValueError("timestamp without a time zone")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def tag_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidValueError(f"expected a list of strings, got {type(value).__name__}")
    try:
        # One pass in C over every tag: joining fails on a non-string, and a lone surrogate
        # stays one when joined (Python never pairs surrogates of separate code points).
        joined = "".join(value)
    except TypeError:
        raise InvalidValueError("expected a list of strings, found a non-string tag") from None
    if not valid_unicode(joined):
        raise InvalidValueError(NOT_UNICODE)
    return value


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValueError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def safetensors(value: Any) -> dict[str, Any]:
    """``{"parameters": {dtype: count, …}, "total": count}``, kept as sent once its counts check."""
    _mapping(value, "safetensors")
    parameters = _mapping(value.get("parameters"), "safetensors.parameters")
    try:
        count(value.get("total"))
        for dtype, number in parameters.items():
            text(dtype)
            count(number)
    except InvalidValueError as exc:
        raise InvalidValueError(f"safetensors: {exc}") from None
    return value


def runtime(value: Any) -> dict[str, Any]:
    """A Space's runtime: ``stage`` a string, ``hardware`` an object of strings (null allowed,
    a sleeping Space has no current hardware); its other keys are kept as sent."""
    _mapping(value, "runtime")
    hardware = value.get("hardware")
    try:
        if value.get("stage") is not None:
            text(value["stage"])
        if hardware is not None:
            for key in ("current", "requested"):
                if _mapping(hardware, "hardware").get(key) is not None:
                    text(hardware[key])
    except InvalidValueError as exc:
        raise InvalidValueError(f"runtime: {exc}") from None
    return value


def validate(record: Record) -> dict[str, str]:
    """Normalize ``record`` in place; return the reason per invalid field (empty when valid)."""
    problems: dict[str, str] = {}
    for name, rule, required in record.field_rules():
        value = getattr(record, name)
        if value is None:
            if required:
                problems[name] = "missing"
            continue
        try:
            normalized = rule(value)
        except InvalidValueError as exc:
            problems[name] = str(exc)
            continue
        if normalized is not value:
            setattr(record, name, normalized)
    return problems
