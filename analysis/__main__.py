"""Command line of the analysis: `python -m analysis [--data DIR] [--out DIR] [--date YYYY-MM-DD]
[--since YYYY-MM-DD] [--until YYYY-MM-DD] [--type TYPE[,TYPE] ...] [--follow ID ...] [--no-export]`,
`python -m analysis show ID [ID ...]` (analysis.show: a repo's daily series) and
`python -m analysis export …` (analysis.export.command).

Every repo type (models, datasets, Spaces) with a complete partition for the day is analysed, and
its history; `--type` narrows the run to those it names (the page says why the others are absent).
The day is that of the first of them, models first.

Every partition is verified against its manifest when it is first compacted; a damaged one (a part
cut short or altered, a count that does not add up) is left out of the report and of the history,
listed among the skipped partitions and named in a warning on stderr.

The run ends by exporting the days up to the analysed one that the export does not hold yet
(analysis.export), unless `--no-export`.

Exit status: 0 with the path of `index.html` printed; 1 when the partition to analyse (the latest
complete one, or `--date`'s) is damaged: no report is written, and the message names the latest
sound day to pass as `--date` (an older report is never passed off as the latest), or when the
export could not be written (the report is, and its path printed; the message says why); 2 when
the arguments are wrong (`--out` naming a file, `--since` after `--until`, an unknown `--type`) or
there is no complete
partition to analyse: the message says whether the data directory is missing or holds nothing
yet (and the crawl command), or lists the dates there are. A report is still written, with a
note on stderr, when its history holds one snapshot (the history starts with the second) or a
followed id is in none of them (its close matches named).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.arguments import add_data_option
from analysis.arguments import day as _day
from analysis.defaults import DEFAULT_OUT_DIR, DEFAULT_REPO_TYPE, REPORT_REPO_TYPES
from analysis.store.pages import disable_huge_pages
from analysis.text import neutralise

if TYPE_CHECKING:
    from analysis.run import Outcome
    from analysis.store.partitions import SkippedPartition

_PROG = "python -m analysis"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description=(
            "Analyse a day's complete snapshots of the Hub's models, datasets and Spaces into"
            " charts (PNG), CSV tables, summary.json and a self-contained index.html under"
            " OUT/<date>/. Each partition is "
            "compacted once into a Parquet cache under DATA/cache/ and read from there afterwards. "
            "Partitions whose manifest.json does not say status 'complete' are never analysed. "
            "Organisations and users are told apart with the latest complete authors partition "
            "dated on or before the snapshot. With two or more complete partitions in "
            "[--since, --until] of a repo type, the report also holds its history across them."
            " A partition whose "
            "parts do not match its manifest (records, sha256) is damaged: it is left out and "
            "named on stderr, and when it is the one to analyse the run exits 1 without a report."
        ),
        epilog=(
            f"`{_PROG} show ID [ID ...]` prints a repo's daily series and draws its chart. The run "
            "then adds the days up to the analysed one to the export under DATA/exports/ (Parquet, "
            f"one partition a day); `{_PROG} export --help` tells more."
        ),
    )
    add_data_option(parser, "data directory holding snapshots/<repo type>/date=YYYY-MM-DD/")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"directory the report is written into, as OUT/<date>/ (default: {DEFAULT_OUT_DIR}/)",
    )
    parser.add_argument(
        "--date",
        type=_day,
        default=None,
        help="date of the partition to analyse, YYYY-MM-DD (default: the latest complete one)",
    )
    parser.add_argument(
        "--since",
        type=_day,
        default=None,
        help="first day of the history, YYYY-MM-DD (default: the oldest complete partition)",
    )
    parser.add_argument(
        "--until",
        type=_day,
        default=None,
        help="last day of the history, YYYY-MM-DD (default: the date of the analysed partition)",
    )
    parser.add_argument(
        "--type",
        dest="repo_types",
        action="append",
        type=_repo_types,
        default=[],
        metavar="TYPE[,TYPE...]",
        help=(
            f"analyse only these repo types, of {', '.join(REPORT_REPO_TYPES)} (repeatable, or a"
            " comma-separated list; default: every repo type with a complete partition for the"
            " day). The day is the latest complete partition (or --date's) of the first of them"
            " in that order; the page says why each type left out is absent. Links between"
            f" repo types and model sizes need the {DEFAULT_REPO_TYPE}"
        ),
    )
    parser.add_argument(
        "--follow",
        "--model",
        dest="models",
        action="append",
        default=[],
        metavar="ID",
        help=(
            f"also show the day-by-day history of this repo id of the analysed type (repeatable;"
            f" --model is the same option). For one repo of any type on the terminal, see"
            f" `{_PROG} show --help`"
        ),
    )
    parser.add_argument(
        "--no-export",
        dest="export",
        action="store_false",
        help="do not add the new days to DATA/exports/ (see `python -m analysis export --help`)",
    )
    return parser


def _repo_types(text: str) -> list[str]:
    """Repo types named in a comma-separated list (argparse says which one is unknown)."""
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in REPORT_REPO_TYPES:
            msg = f"unknown repo type {name!r}: choose among {', '.join(REPORT_REPO_TYPES)}"
            raise argparse.ArgumentTypeError(msg)
    return names


def _not_a_directory(path: Path) -> Path | None:
    """The first of `path` and its parents that exists and is not a directory, if any."""
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the analysis (or its `show` or `export` command); return the process exit status."""
    argv = sys.argv[1:] if argv is None else argv
    disable_huge_pages()  # before numpy or pyarrow allocates (analysis.store.pages)
    if argv[:1] == ["show"]:
        from analysis.show import main as show  # noqa: PLC0415

        return show(argv[1:])
    if argv[:1] == ["export"]:
        from analysis.export.command import main as export  # noqa: PLC0415

        return export(argv[1:])
    parser = _parser()
    arguments = parser.parse_args(argv)
    blocking = _not_a_directory(arguments.out)
    if blocking is not None:
        parser.error(f"--out {arguments.out}: {blocking} exists and is not a directory")
    if arguments.since and arguments.until and arguments.since > arguments.until:
        parser.error(
            f"--since {arguments.since} is after --until {arguments.until}: the history would"
            " hold no day"
        )
    # Imported after parsing: pyarrow, pandas and matplotlib take seconds to load, which `--help`
    # and a mistyped option should not wait for.
    from analysis.run import Request, analyse  # noqa: PLC0415
    from analysis.store.partitions import (  # noqa: PLC0415
        DamagedPartitionError,
        NoCompletePartitionError,
    )

    asked = {name for names in arguments.repo_types for name in names}
    request = Request(
        arguments.data,
        arguments.out,
        arguments.date,
        arguments.since,
        arguments.until,
        arguments.models,
        tuple(name for name in REPORT_REPO_TYPES if name in asked) or REPORT_REPO_TYPES,
        export=arguments.export,
    )
    try:
        done = analyse(request)
    except NoCompletePartitionError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except DamagedPartitionError as error:
        # The partition its manifest calls complete is not: nothing is written.
        _warn(parser, error.damaged)
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    _warn(parser, done.damaged)
    followed = arguments.models
    if DEFAULT_REPO_TYPE not in request.repo_types:
        _not_followed(parser, followed, f"--type leaves the {DEFAULT_REPO_TYPE} out")
        followed = []
    _notes(parser, done, followed)
    sys.stdout.write(f"{done.index}\n")
    if done.export_error is not None:
        sys.stderr.write(f"{parser.prog}: error: the export failed: {done.export_error}\n")
        return 1
    return 0


def _warn(parser: argparse.ArgumentParser, damaged: list[SkippedPartition]) -> None:
    for partition in damaged:
        sys.stderr.write(f"{parser.prog}: warning: {partition.name} left out, {partition.reason}\n")


def _not_followed(parser: argparse.ArgumentParser, followed: list[str], why: str) -> None:
    for repo in dict.fromkeys(followed):
        followed_id = neutralise(repo)
        sys.stderr.write(f"{parser.prog}: warning: --follow {followed_id} not followed: {why}\n")


def _notes(parser: argparse.ArgumentParser, done: Outcome, followed: list[str]) -> None:
    """Say what the report does not hold: a history (one snapshot), or a followed id."""
    if done.snapshots < 2:
        sys.stderr.write(
            f"{parser.prog}: note: the history starts with the second complete snapshot, and"
            f" the range holds {done.snapshots}: the report has no history section, rising"
            " repos or rank changes\n"
        )
        _not_followed(parser, followed, "there is no history")
    for repo, close in done.unknown.items():
        hint = f"; did you mean {', '.join(map(neutralise, close))}?" if close else ""
        sys.stderr.write(
            f"{parser.prog}: warning: --follow {neutralise(repo)}: in none of the history's"
            f" snapshots{hint}\n"
        )


if __name__ == "__main__":
    sys.exit(main())
