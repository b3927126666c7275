"""Requirements split by where they run: each package imports only what its group installs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)")

# Modules that each group must work without: what the other groups install.
FORBIDDEN = {
    "hfcrawler": ("pandas", "pyarrow", "duckdb", "matplotlib", "jinja2", "aiohttp"),
    "analysis": ("scrapy", "twisted", "itemadapter", "aiohttp", "scrapyd"),
    # The Scrapyd client and the daily pipeline run their steps as commands: the standard library.
    "scheduler": (
        "scrapy",
        "twisted",
        "itemadapter",
        "orjson",
        "numpy",
        "scrapyd",
        "pandas",
        "pyarrow",
        "duckdb",
        "matplotlib",
        "jinja2",
        "aiohttp",
    ),
}


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line.strip()):
            pins[match[1].lower()] = match[2]
    return pins


def test_a_package_pinned_in_several_files_has_one_version() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted([*REQUIREMENTS.glob("*.txt"), ROOT / "requirements-dev.txt"]):
        for name, version in _pins(path).items():
            first = seen.setdefault(name, (version, path.name))
            where = f"{version} in {path.name}, {first[0]} in {first[1]}"
            assert first[0] == version, f"{name}: {where}"


def test_requirements_txt_installs_every_group() -> None:
    included = re.findall(r"^-r (\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert sorted(included) == [
        "requirements/analysis.txt",
        "requirements/emulator.txt",
        "requirements/scrapyd.txt",
    ]
    assert "-r crawl.txt" in (REQUIREMENTS / "scrapyd.txt").read_text()


_IMPORT_ALL = """
import importlib, pkgutil, sys
blocked = set(sys.argv[2].split(","))
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not installed where this package runs")
sys.meta_path.insert(0, Block())
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
print("imported", sys.argv[1])
"""


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_without_the_other_groups(package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, package, ",".join(FORBIDDEN[package])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"imported {package}" in result.stdout
