"""`python -m analysis show ID [ID ...]`: one repo's daily series on the terminal, and its chart.

For each id, one row per complete snapshot it appears in (from `--since` to `--until`): the date,
its all-time downloads, what they gained since the snapshot before, its 30-day downloads, its likes
and its rank by 30-day downloads among all the snapshot's repos (the columns its repo type's
`Trend` declares; analysis.history.followed.ranked_history). The table is printed, the chart
written as `<out>/show/<repo type>/<id, "/" as "--">.png` and its path printed after it.

The repo type is `--type`'s, or found: the first type (models first) whose snapshots hold the id.
Partitions not yet compacted are compacted (and verified) first, as a report would; a damaged one
is left out with a warning.

Exit status: 0 when every id was found; 2 when one was not (the others are still shown, and the
message names the ids it looks like), when the arguments are wrong, or when there is no complete
partition to read (the message says why, as the report's does).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from analysis.arguments import add_data_option, day
from analysis.defaults import DEFAULT_OUT_DIR
from analysis.store.repo_types import REPO_TYPES
from analysis.text import neutralise
from hfcrawler.layout import DataLayout

PROG = "python -m analysis show"
# The series' columns as a user reads them; the others are named after their column.
_HEADERS = {
    "date": "date",
    "downloads_all_time": "all-time downloads",
    "gained": "gained",
    "downloads": "30-day downloads",
    "likes": "likes",
    "rank": "rank",
    "note": "note",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_FILE_CHARACTERS = 150


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Print each repo's daily series (date, all-time downloads, downloads gained since the"
            " snapshot before, 30-day downloads, likes, rank by 30-day downloads) from the"
            " complete snapshots, and write its chart (PNG) under OUT/show/. An id found in no"
            " snapshot exits 2 and the message names the ids it looks like."
        ),
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help="a repo id, such as org/name")
    parser.add_argument(
        "--type",
        choices=list(REPO_TYPES),
        default=None,
        help="the repo type of the ids (default: the first whose snapshots hold each id)",
    )
    add_data_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"the charts go to OUT/show/<repo type>/ (default: {DEFAULT_OUT_DIR}/)",
    )
    parser.add_argument("--since", type=day, default=None, help="first day, YYYY-MM-DD")
    parser.add_argument("--until", type=day, default=None, help="last day, YYYY-MM-DD")
    return parser


def chart_path(out: Path, repo_type: str, repo: str) -> Path:
    """Where the chart of `repo` goes: a file name of safe characters only, "/" as "--"."""
    name = _UNSAFE.sub("_", repo.replace("/", "--"))[:_FILE_CHARACTERS]
    return out / "show" / repo_type / f"{name.lstrip('.') or '_'}.png"


def main(argv: list[str]) -> int:
    """Show the series of the ids `argv` names; return the exit status."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.since and arguments.until and arguments.since > arguments.until:
        parser.error(f"--since {arguments.since} is after --until {arguments.until}")
    # Imported after parsing, as the report's command does: these take seconds to load.
    from analysis.lookup import NothingToShowError, lookup  # noqa: PLC0415

    # Without --type, every repo type that has snapshots in the data directory (with none, the
    # first, models: the message then says how to crawl them).
    layout = DataLayout(arguments.data)
    present = [name for name in REPO_TYPES if layout.snapshots(name).is_dir()]
    types = [arguments.type] if arguments.type else present or [next(iter(REPO_TYPES))]
    try:
        found = lookup(arguments.data, types, arguments.ids, arguments.since, arguments.until)
    except NothingToShowError as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    for warning in found.warnings:
        sys.stderr.write(f"{PROG}: warning: {warning}\n")
    for series in found.series:
        sys.stdout.write(series.text(_HEADERS) + "\n")
        path = chart_path(arguments.out, series.repo_type.name, series.repo)
        series.draw(path, _HEADERS)
        sys.stdout.write(f"chart: {path}\n\n")
    for repo, close in found.unknown.items():
        hint = f"; did you mean {', '.join(map(neutralise, close))}?" if close else ""
        kinds = " or ".join(REPO_TYPES[name].noun for name in types)
        sys.stderr.write(
            f"{PROG}: error: no {kinds} {neutralise(repo)} in the snapshots {found.span}{hint}\n"
        )
    return 2 if found.unknown else 0
