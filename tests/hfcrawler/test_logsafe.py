"""What a server's string can do to a log line: nothing it quotes starts a line of its own, and
URLs quoted in messages are cut short."""

import io
import logging
import subprocess
import sys

import pytest

from hfcrawler.logsafe import brief, brief_url, indent_quotes, one_line
from tests.helpers import ROOT

FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text, unchanged", "plain text, unchanged"),
        ("a\nb\r\nc", "a\\u000ab\\u000d\\u000ac"),
        ("tab\there", "tab\\u0009here"),
        (
            "sep\u2028par\u2029nel\x85ff\x0cvt\x0b",
            "sep\\u2028par\\u2029nel\\u0085ff\\u000cvt\\u000b",
        ),
        ("rtl \u202eevil", "rtl \\u202eevil"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("tag \U000e0041", "tag \\U000e0041"),
        ("ünïcödé 模型 نموذج", "ünïcödé 模型 نموذج"),
    ],
)
def test_one_line_escapes_whatever_is_not_printable(text, expected):
    assert one_line(text) == expected
    assert len(one_line(text).splitlines()) == 1


def logged(*args, exc_info=None):
    """What a Scrapy-formatted handler writes for one record after indent_quotes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    record = logging.LogRecord("hub", logging.ERROR, __file__, 1, args[0], args[1:], exc_info)
    indent_quotes(record)
    handler.handle(record)
    return stream.getvalue()


FORGED = "2001-01-01 00:00:00 [hfcrawler.verdict] INFO: Snapshot verdict: {}"


def only_the_first_line_starts_unindented(text):
    lines = text.rstrip("\n").split("\n")
    return not lines[0].startswith(" ") and all(line.startswith("  ") for line in lines[1:])


def test_interpolated_values_continue_on_indented_lines_and_numbers_keep_their_format():
    text = logged("Failed %s after %.1f s (try %d): %r", f"boom\n{FORGED}", 1.25, 3, f"x\n{FORGED}")
    assert only_the_first_line_starts_unindented(text)
    assert "after 1.2 s (try 3)" in text
    assert f"boom\n  {FORGED}" in text


def test_a_mapping_of_values_objects_and_a_message_that_is_not_a_string_are_indented():
    text = logged("%(reason)s and %(error)s", {"reason": f"a\n{FORGED}", "error": OSError(FORGED)})
    assert only_the_first_line_starts_unindented(text)
    record = logging.LogRecord(
        "twisted", logging.ERROR, __file__, 1, ValueError(f"\n{FORGED}"), (), None
    )
    indent_quotes(record)
    assert only_the_first_line_starts_unindented(record.getMessage())


def test_a_traceback_that_quotes_the_server_is_indented_line_by_line():
    try:
        raise RuntimeError(f"the Hub said\n{FORGED}\r\n{FORGED}")
    except RuntimeError as exc:
        text = logged(
            "Spider error processing %s", "https://hub/x", exc_info=(type(exc), exc, None)
        )
    assert only_the_first_line_starts_unindented(text)
    assert "  RuntimeError: the Hub said\n  " + FORGED in text


def test_the_programs_own_multi_line_messages_are_kept():
    text = logged("Dumping Scrapy stats:\n{'a': 1,\n 'b': 2}")
    assert text.split(": ", 1)[1] == "Dumping Scrapy stats:\n{'a': 1,\n 'b': 2}\n"


def test_install_applies_to_every_record_of_the_process_once():
    code = (
        "import logging, sys\n"
        "from hfcrawler.logsafe import install\n"
        "install(); install()\n"
        "logging.basicConfig(stream=sys.stdout, format='%(name)s: %(message)s')\n"
        f"logging.getLogger('hub').warning('said %s', {'a' + chr(10) + FORGED!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout == f"hub: said a\n  {FORGED}\n", result.stderr


# Messages that quote the server: one line, control characters escaped, URLs cut short.

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
