"""The other side of the crawl benchmarks: what a user of `huggingface_hub` would write.

`python -m bench.crawl_list_models --endpoint URL --out DIR [--types models datasets spaces]`
lists each repo type one after another with `HfApi(endpoint=URL).list_models` (and
`list_datasets`, `list_spaces`), sorted by `createdAt` and asking with `expand` for exactly the
snapshot's fields, and writes `DIR/<type>.jsonl.gz`: one JSON object a line, the Hub's field
names in the spider's order, gzip level 6, encoded with the same orjson as the spider, so the two
sides do the same work. The client gives back `ModelInfo` objects, not the raw items, so each is
turned back into the Hub's spelling (timestamps included). The last stdout line is a JSON object
with each listing's record count and wall seconds.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from huggingface_hub import HfApi

from hfcrawler.items import DatasetRecord, HubRecord, ModelRecord, SpaceRecord

RECORDS: dict[str, type[HubRecord]] = {
    "models": ModelRecord,
    "datasets": DatasetRecord,
    "spaces": SpaceRecord,
}
# The client renames these Hub fields; every other field keeps the Hub's name as attribute.
_ATTRIBUTES = {
    "createdAt": "created_at",
    "lastModified": "last_modified",
    "trendingScore": "trending_score",
    "downloadsAllTime": "downloads_all_time",
}
_NOT_EXPANDED = {"_id", "id", "repoType"}
_LINE = orjson.OPT_APPEND_NEWLINE


def hub_timestamp(moment: datetime | None) -> str | None:
    """The Hub's spelling of a timestamp the client parsed: milliseconds and a `Z`."""
    if moment is None:
        return None
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def hub_record(info: Any, names: tuple[str, ...], repo_type: str) -> dict[str, Any]:
    """One ModelInfo/DatasetInfo/SpaceInfo back in the snapshot's field names and order."""
    record: dict[str, Any] = {}
    for name in names:
        value = getattr(info, _ATTRIBUTES.get(name, name), None)
        if name in {"createdAt", "lastModified"}:
            value = hub_timestamp(value)
        elif name == "repoType":
            value = repo_type
        record[name] = value
    return record


def write_listing(path: Path, infos: Iterable[Any], record_class: type[HubRecord]) -> int:
    """Write every listed repo to a gzip JSON Lines file; return how many were written."""
    names = record_class.field_names()
    count = 0
    with gzip.open(path, "wb", compresslevel=6) as out:
        for info in infos:
            out.write(orjson.dumps(hub_record(info, names, record_class.REPO_TYPE), option=_LINE))
            count += 1
    return count


def listing(api: HfApi, repo_type: str) -> Callable[..., Iterable[Any]]:
    return {
        "models": api.list_models,
        "datasets": api.list_datasets,
        "spaces": api.list_spaces,
    }[repo_type]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the Hub's base URL")
    parser.add_argument("--out", type=Path, required=True, help="directory for <type>.jsonl.gz")
    parser.add_argument("--types", nargs="+", choices=sorted(RECORDS), default=["models"])
    arguments = parser.parse_args(argv)
    api = HfApi(endpoint=arguments.endpoint)
    arguments.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, float]] = {}
    for repo_type in arguments.types:
        record_class = RECORDS[repo_type]
        expand = [name for name in record_class.field_names() if name not in _NOT_EXPANDED]
        started = time.perf_counter()
        infos = listing(api, repo_type)(sort="createdAt", expand=expand, limit=None)
        written = write_listing(arguments.out / f"{repo_type}.jsonl.gz", infos, record_class)
        report[repo_type] = {"records": written, "seconds": time.perf_counter() - started}
    (arguments.out / "listings.json").write_bytes(orjson.dumps(report))


if __name__ == "__main__":
    main()
