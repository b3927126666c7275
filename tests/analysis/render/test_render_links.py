"""Hub links are built only from names of the Hub's form."""

from __future__ import annotations

import pytest

from analysis.render.links import hub_url


@pytest.mark.parametrize(
    ("name", "path", "url"),
    [
        ("acme/alpha", "", "https://huggingface.co/acme/alpha"),
        ("gpt2", "", "https://huggingface.co/gpt2"),
        ("Org_1/Model.v2-x", "", "https://huggingface.co/Org_1/Model.v2-x"),
        ("acme/data", "datasets/", "https://huggingface.co/datasets/acme/data"),
        ("acme/app", "spaces/", "https://huggingface.co/spaces/acme/app"),
    ],
)
def test_names_of_the_hubs_form_link_to_their_page(name: str, path: str, url: str) -> None:
    assert hub_url(name, path) == url


@pytest.mark.parametrize(
    "name",
    [
        "dave/<script>document.title='PWNED'</script>",
        'a/b"onmouseover="x',
        "javascript:alert(1)",
        "a/b/c",
        "../etc",
        "-org/model",
        "org/model-",
        "org/.model",
        "org/mo--del",
        "org/mo..del",
        "org/model.git",
        "@mallory/+cmd",
        "org/mo del",
        "org/模型",
        "org/" + "x" * 97,
        "",
        "a/",
    ],
)
def test_other_strings_get_no_link(name: str) -> None:
    assert hub_url(name, "") is None
