"""Every record a page brings is written or rejected with its reason, even one that cannot be
written as JSON (a lone surrogate, an integer past 64 bits): nothing vanishes."""

import gzip
import json

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from tests.helpers import Answer, ScriptedServer, crawl, partitions, read_partition

RECORDS = list(SyntheticHub(seed=12, models=40).records("models"))
SURROGATE, HUGE = 3, 7  # positions of the records that cannot be written as they are


def hostile_page():
    records = [dict(record) for record in RECORDS]
    records[SURROGATE]["tags"] = ["license:mit", "\ud800"]
    records[HUGE]["trendingScore"] = 2**70
    # Valid JSON (the surrogate is an escape), which orjson refuses and the standard library reads.
    return json.dumps(records).encode("ascii")


def test_records_that_cannot_be_written_are_rejected_with_their_reason(tmp_path):
    with ScriptedServer(lambda _: Answer(200, hostile_page())) as server:
        result = crawl("models", endpoint=server.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    (partition,) = partitions(tmp_path)
    kept = [r["id"] for r in read_partition(partition)]
    with gzip.open(partition / "rejected.jsonl.gz", "rt", encoding="utf-8") as fh:
        rejected = {json.loads(line)["record"]["id"]: json.loads(line) for line in fh}
    assert sorted(kept + list(rejected)) == sorted(r["id"] for r in RECORDS)
    surrogate = rejected[RECORDS[SURROGATE]["id"]]
    assert "tags" in surrogate["reason"]
    assert surrogate["record"]["tags"] == ["license:mit", "\ud800"]  # kept as the Hub sent it
    huge = rejected[RECORDS[HUGE]["id"]]
    assert "trendingScore" in huge["reason"]
    assert huge["record"]["trendingScore"] == 2**70
    manifest = read_manifest(partition)
    assert manifest["counts"]["records"] == len(kept) == len(RECORDS) - 2
    assert manifest["counts"]["rejected"] == 2
