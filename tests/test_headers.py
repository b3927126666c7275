from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from hfcrawler.headers import RateLimit, next_link, retry_after

BASE = "https://huggingface.co/api/models?sort=createdAt"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [b'<https://hf.co/api/models?cursor=abc>; rel="next"'],
            "https://hf.co/api/models?cursor=abc",
        ),
        (
            [b"<https://hf.co/api/models?cursor=abc>; rel=next"],
            "https://hf.co/api/models?cursor=abc",
        ),
        (
            [b'<https://hf.co/a?c=1>; rel="prev", <https://hf.co/a?c=2>; rel="next"'],
            "https://hf.co/a?c=2",
        ),
        (
            [b'<https://hf.co/a?c=1>; rel="prev"', b'<https://hf.co/a?c=2>; REL="Next"'],
            "https://hf.co/a?c=2",
        ),
        ([b'</api/models?cursor=x>; rel="next"'], "https://huggingface.co/api/models?cursor=x"),
        ([b'<https://hf.co/a?c=1>; rel="prev"'], None),
        ([], None),
        ([b"garbage"], None),
    ],
)
def test_next_link(values, expected):
    assert next_link(values, BASE) == expected


def test_ratelimit_reads_the_hubs_headers():
    limit = RateLimit.from_headers(b'"api";r=489;t=189', b'"fixed window";"api";q=500;w=300')
    assert (limit.remaining, limit.reset, limit.quota, limit.window) == (489, 189, 500, 300)
    assert limit.known


@pytest.mark.parametrize("value", [None, b"", b"nonsense", b'"api";r=abc;t=-4'])
def test_ratelimit_tolerates_missing_or_broken_headers(value):
    limit = RateLimit.from_headers(value, None)
    assert not limit.known
    assert limit.quota is None


def test_retry_after_seconds_and_date():
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert retry_after(b"7", now.timestamp()) == 7
    later = format_datetime(now + timedelta(seconds=30), usegmt=True).encode()
    assert retry_after(later, now.timestamp()) == pytest.approx(30)
    assert retry_after(b"soon", now.timestamp()) is None
    assert retry_after(None, now.timestamp()) is None
