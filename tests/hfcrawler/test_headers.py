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


@pytest.mark.parametrize(
    "value",
    [
        b'"api";r=0;t=137, "default";r=50;t=30',
        b'"default";r=50;t=30, "api";r=0;t=137',
        b'"default";r=50;t=30,"api";r=0;t=137,"pages";r=9;t=1',
    ],
)
def test_ratelimit_reads_the_api_entry_whatever_the_order(value):
    policy = b'"fixed window";"default";q=9;w=10, "fixed window";"api";q=500;w=300'
    limit = RateLimit.from_headers(value, policy)
    assert (limit.remaining, limit.reset, limit.quota, limit.window) == (0, 137, 500, 300)
    assert limit.spent


def test_ratelimit_without_an_api_entry_reads_the_first():
    limit = RateLimit.from_headers(b'"default";r=50;t=30, "other";r=0;t=9', None)
    assert (limit.remaining, limit.reset) == (50, 30)
    assert not limit.spent


@pytest.mark.parametrize("reset", [b"inf", b"-inf", b"nan", b"-1", b"1e999"])
def test_ratelimit_resets_that_are_no_number_of_seconds_are_unknown(reset):
    limit = RateLimit.from_headers(b'"api";r=0;t=' + reset, None)
    assert limit.reset is None
    assert not limit.known


def test_ratelimit_reset_past_the_window_is_cut_to_the_window():
    limit = RateLimit.from_headers(b'"api";r=0;t=1e9', b'"fixed window";"api";q=500;w=300')
    assert limit.reset == 300
    assert RateLimit.from_headers(b'"api";r=0;t=1e9', None).reset == 1e9  # no window to cut to


def test_retry_after_in_the_past_or_unreadable():
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC).timestamp()
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    assert retry_after(b"0", now) == 0
    assert retry_after(b"Sun, 29 Nov 2026 12:00:30 -0000", now) == pytest.approx(30)
    for value in (b"-5", b"1e9", b"inf", b"Wed, 99 Oct 2015 07:28:00 GMT"):
        assert retry_after(value, now) is None, value
