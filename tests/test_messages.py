"""Server strings in messages: one line, control characters escaped, URLs cut short."""

import pytest

from hfcrawler.logsafe import brief, brief_url

CURSOR = "eyIkb3IiOlt7ImNyZWF0ZWRBdCI6IjIwMjYtMDMtMDhUMDM6MTQ6NDIuMDAwWiJ9XX0%3D"


def test_a_listing_url_keeps_its_path_and_the_start_of_its_cursor():
    expand = "&".join(f"expand=field{i}" for i in range(14))
    url = f"https://huggingface.co/api/models?sort=createdAt&{expand}&limit=1000&cursor={CURSOR}"
    assert brief_url(url) == "https://huggingface.co/api/models?…&cursor=eyIkb3IiOlt7…"
    assert brief_url("https://huggingface.co/api/models?limit=5") == (
        "https://huggingface.co/api/models?…"
    )
    assert brief_url("https://huggingface.co") == "https://huggingface.co"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)\n2026-01-01 [hfcrawler] INFO: forged",
        "https://hub.example/api\r\n\x1b[2Jmodels?cursor=a\nb",
        "data:application/json," + "[{}]" * 200,
    ],
)
def test_hostile_urls_stay_on_one_short_line(url):
    text = brief_url(url)
    assert "\n" not in text
    assert "\r" not in text
    assert "\x1b" not in text
    assert len(text) <= 100


def test_brief_escapes_and_cuts():
    assert brief("a\nb\u202ec") == "a\\u000ab\\u202ec"
    assert brief("x" * 1000, 50) == "x" * 49 + "…"
