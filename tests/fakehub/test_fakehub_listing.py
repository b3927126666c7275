import base64
import json
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from fakehub.fields import EXPAND_VALUES, RECORD_FIELDS
from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess

ARGS = ["--seed", "1", "--models", "3000", "--datasets", "200", "--spaces", "150"]
EXPAND_RECORD = "&".join(f"expand={name}" for name in RECORD_FIELDS["models"][2:])


@pytest.fixture(scope="module")
def hub() -> SyntheticHub:
    return SyntheticHub(seed=1, models=3000, datasets=200, spaces=150)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeHubProcess]:
    with FakeHubProcess([*ARGS, "--page-cap", "500"]) as process:
        yield process


def items_of(server: FakeHubProcess, path: str) -> list[dict]:
    pages = list(server.walk(path))
    assert all(page.status == 200 for page in pages)
    return [item for page in pages for item in page.json()]


def test_link_keeps_parameters_in_order_then_adds_sort_and_cursor(server: FakeHubProcess) -> None:
    query = "limit=100&filter=transformers&expand=author&expand%5B%5D=likes&expand=tags"
    first = server.get(f"/api/models?{query}")
    assert first.status == 200
    link = first.next_link()
    assert first.headers["Link"] == f'<{link}>; rel="next"'
    url = urlsplit(link)
    assert f"{url.scheme}://{url.netloc}" == server.url
    assert url.path == "/api/models"
    assert url.query.startswith(query + "&sort=trendingScore&cursor=")
    assert [key for key, _ in parse_qsl(url.query)][-1] == "cursor"
    cursor = json.loads(base64.b64decode(unquote(url.query.rsplit("cursor=", 1)[1])))
    assert cursor["$or"][0]["_id"]["$gt"] == first.json()[-1]["_id"]
    second = server.get(link)
    again = urlsplit(second.next_link()).query
    assert again.startswith(query + "&sort=trendingScore&cursor=")
    assert again.count("cursor=") == 1
    assert again.count("sort=") == 1


def test_a_full_createdat_walk_returns_exactly_the_records(
    server: FakeHubProcess, hub: SyntheticHub
) -> None:
    pages = list(server.walk(f"/api/models?sort=createdAt&limit=500&{EXPAND_RECORD}"))
    assert len(pages) == 6
    assert "Link" not in pages[-1].headers
    served = [item for page in pages for item in page.json()]
    assert all(set(item) <= set(RECORD_FIELDS["models"]) for item in served)
    records = [{name: item.get(name) for name in RECORD_FIELDS["models"]} for item in served]
    expected = list(hub.records("models"))
    assert sorted(records, key=lambda r: r["_id"]) == expected
    assert len(records) == len(expected)


def test_order_is_descending_with_id_tie_break_and_nulls_last(server: FakeHubProcess) -> None:
    created = items_of(server, "/api/models?sort=createdAt&expand=createdAt")
    keys = [(item["createdAt"], item["_id"]) for item in created]
    assert all(a[0] > b[0] or (a[0] == b[0] and a[1] < b[1]) for a, b in pairwise(keys))
    # The migration batch: many repos share each of several seconds of 2022-03-02 23:29.
    batch = Counter(
        c for c in (i["createdAt"] for i in created) if c.startswith("2022-03-02T23:29")
    )
    assert len(batch) >= 3
    assert batch.most_common(3)[-1][1] > 10
    downloads = items_of(server, "/api/models?sort=downloads&expand=downloads")
    values = [item.get("downloads") for item in downloads]
    counted = [v for v in values if v is not None]
    assert values[len(counted) :] == [None] * (len(values) - len(counted))
    assert len(counted) < len(values)
    assert counted == sorted(counted, reverse=True)


def test_a_cursor_inside_the_null_keys_still_walks_them_all(
    server: FakeHubProcess, hub: SyntheticHub
) -> None:
    author = next(r["author"] for r in hub.records("models") if r["downloads"] is None)
    owned = [r["id"] for r in hub.records("models") if r["author"] == author]
    path = f"/api/models?sort=downloads&author={author}&limit=1&expand=downloads"
    served = [item for page in server.walk(path) for item in page.json()]
    assert sorted(item["id"] for item in served) == sorted(owned)
    assert "downloads" not in served[-1]


def test_page_cap_and_limit(server: FakeHubProcess) -> None:
    assert len(server.get("/api/models").json()) == 500
    assert len(server.get("/api/models?limit=2000").json()) == 500
    assert len(server.get("/api/models?limit=7").json()) == 7
    assert server.get("/api/models?limit=abc").status == 400
    assert server.get("/api/models?limit=0").status == 400


def test_expand_returns_only_asked_properties_in_both_spellings(server: FakeHubProcess) -> None:
    repeated = server.get("/api/models?limit=50&expand=author&expand=downloadsAllTime").json()
    brackets = server.get("/api/models?limit=50&expand[]=author&expand[]=downloadsAllTime").json()
    assert repeated == brackets
    assert {key for item in repeated for key in item} == {
        "_id", "id", "author", "downloadsAllTime",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/models?expand=author&expand=nonsense", "nonsense"),
        ("/api/models?expand=baseModels", "baseModels"),
        ("/api/models?expand=usedStorage", "usedStorage"),
        ("/api/datasets?expand=pipeline_tag", "pipeline_tag"),
        ("/api/spaces?expand=downloads", "downloads"),
    ],
)
def test_unknown_expand_values_are_rejected_by_name(
    server: FakeHubProcess, path: str, named: str
) -> None:
    reply = server.get(path)
    assert reply.status == 400
    assert named in reply.json()["error"]


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_every_accepted_expand_value_is_served(server: FakeHubProcess, repo_type: str) -> None:
    everything = "&".join(f"expand={value}" for value in EXPAND_VALUES[repo_type])
    items = items_of(server, f"/api/{repo_type}?{everything}&sort=createdAt")
    assert len(items) > 100
    assert {key for item in items for key in item} <= {"_id", "id", *EXPAND_VALUES[repo_type]}
    full = items_of(server, f"/api/{repo_type}?full=true&config=true&cardData=true")
    assert len(full) == len(items)


def test_expand_cannot_be_combined_with_full_config_or_carddata(server: FakeHubProcess) -> None:
    for extra in ("full=true", "config=true", "cardData=true"):
        reply = server.get(f"/api/models?expand=author&{extra}")
        assert reply.status == 400
        assert "error" in reply.json()


def test_default_and_full_items(server: FakeHubProcess) -> None:
    default = server.get("/api/models?sort=createdAt").json()
    assert all(item["modelId"] == item["id"] for item in default)
    assert {key for item in default for key in item} == {
        "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
        "library_name", "createdAt", "modelId",
    }  # fmt: skip
    untagged = [item for item in default if "pipeline_tag" not in item]
    assert untagged
    assert "author" not in default[0]
    full = server.get("/api/models?full=true&sort=createdAt").json()
    assert [item["id"] for item in full] == [item["id"] for item in default]
    assert all({"author", "sha", "lastModified", "gated", "siblings"} <= set(i) for i in full)
    configured = server.get("/api/models?config=true&limit=200").json()
    assert any("config" in item for item in configured)


def test_filters(server: FakeHubProcess, hub: SyntheticHub) -> None:
    author = hub.authors.name(0)
    owned = items_of(server, f"/api/models?author={author}&expand=author")
    assert owned
    assert all(item["author"] == author for item in owned)
    assert len(owned) == hub.profile(author)["numModels"]
    found = items_of(server, "/api/models?search=GGUF&expand=tags")
    assert found
    assert all("gguf" in item["id"].lower() for item in found)
    task = items_of(server, "/api/models?pipeline_tag=text-generation&expand=pipeline_tag")
    assert {item["pipeline_tag"] for item in task} == {"text-generation"}
    both = items_of(server, "/api/models?filter=transformers&filter=license:mit&expand=tags")
    assert both
    assert all({"transformers", "license:mit"} <= set(item["tags"]) for item in both)
    mit = items_of(server, "/api/models?filter=license:mit&expand=tags")
    assert len(both) < len(mit)
    gated = items_of(server, "/api/models?gated=true&expand=gated")
    open_ = items_of(server, "/api/models?gated=false&expand=gated")
    assert {item["gated"] for item in gated} == {"auto", "manual"}
    assert {item["gated"] for item in open_} == {False}
    assert len(gated) + len(open_) == len(list(hub.records("models")))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/models?sort=trending", "sort"),
        ("/api/spaces?sort=downloads", "sort"),
        ("/api/models?cursor=", '"cursor" is not allowed to be empty'),
        ("/api/models?cursor=bm90IGEgY3Vyc29y", "cursor"),
        ("/api/models?cursor=%%%", "cursor"),
    ],
)
def test_bad_sort_and_cursor_are_400(server: FakeHubProcess, path: str, message: str) -> None:
    reply = server.get(path)
    assert reply.status == 400
    assert message in reply.json()["error"]


def test_direction_is_ignored(server: FakeHubProcess) -> None:
    plain = server.get("/api/models?sort=likes&limit=20").json()
    assert server.get("/api/models?sort=likes&limit=20&direction=1").json() == plain


def test_a_cursor_decides_the_position_whatever_else_is_sent(server: FakeHubProcess) -> None:
    first = server.get("/api/models?sort=createdAt&limit=50")
    link = first.next_link()
    expected = server.get(link).json()
    assert server.get(link.replace("sort=createdAt", "sort=likes")).json() == expected
    assert expected[0]["_id"] != first.json()[-1]["_id"]


def test_datasets_and_spaces_listings(server: FakeHubProcess, hub: SyntheticHub) -> None:
    datasets = items_of(server, "/api/datasets?sort=createdAt")
    assert len(datasets) == len(list(hub.records("datasets")))
    assert not any("pipeline_tag" in item for item in datasets)
    spaces = items_of(server, "/api/spaces")
    assert {item["sdk"] for item in spaces} <= {"gradio", "docker", "static", "streamlit"}
    assert not any("downloads" in item for item in spaces)
