"""Every record a page brings is written or rejected with its reason, even one that cannot be
written as JSON (a lone surrogate, an integer past 64 bits): nothing vanishes."""

import gzip
import http.server
import json
import threading

from conftest import crawl, read_partition

from fakehub.hub import SyntheticHub

RECORDS = list(SyntheticHub(seed=12, models=40).records("models"))
SURROGATE, HUGE = 3, 7  # positions of the records that cannot be written as they are


def hostile_page():
    records = [dict(record) for record in RECORDS]
    records[SURROGATE]["tags"] = ["license:mit", "\ud800"]
    records[HUGE]["trendingScore"] = 2**70
    # Valid JSON (the surrogate is an escape), which orjson refuses and the standard library reads.
    return json.dumps(records).encode("ascii")


class OnePage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = hostile_page()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_records_that_cannot_be_written_are_rejected_with_their_reason(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OnePage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = crawl("models", endpoint=f"http://127.0.0.1:{server.server_port}", data=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]

    (partition,) = (tmp_path / "snapshots/models").glob("date=*")
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
    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["counts"]["records"] == len(kept) == len(RECORDS) - 2
    assert manifest["counts"]["rejected"] == 2
