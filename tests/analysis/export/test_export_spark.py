"""Apache Spark reads the export as the README prints it, and its top gainers over 7 days are the
report's own table (velocity_models.csv, its 7-day rows), row for row.

Spark needs Java 17 or later and pyspark (requirements/spark.txt; `.ci/run` installs both): the
test skips, saying which is missing, without them. It starts one local JVM (local[1]): 20 to 40
seconds on two cores.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.export.truth import write_history
from tests.helpers import csv_rows, readme_snippet, run_analysis

_JAVA_VERSION = re.compile(r'version "(\d+)')


def _missing() -> str | None:
    """What Spark lacks on this machine, if anything."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -r requirements/spark.txt)"
    java = shutil.which("java")
    if java is None:
        return (
            "no java on PATH (Spark needs Java 17 or later: apt-get install default-jre-headless)"
        )
    shown = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=60, check=False
    ).stderr
    found = _JAVA_VERSION.search(shown)
    if found is None or int(found[1]) < 17:
        return f"Spark 4 needs Java 17 or later; java -version says: {shown.splitlines()[:1]}"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_missing() is not None, reason=str(_missing())),
]

_NUMBERS = ["gained", "days", "per_day", "start_all_time", "relative_gain"]


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def _report_rows(report: Path, ranking: str) -> list[tuple[Any, ...]]:
    rows = [
        row
        for row in csv_rows(report, "velocity_models")
        if row["window_days"] == "7" and row["ranking"] == ranking
    ]
    return [(row["id"], *(_number(row[column]) for column in _NUMBERS)) for row in rows]


def _spark_rows(frame: Any) -> list[tuple[Any, ...]]:
    return [
        (row["id"], *(None if row[c] is None else float(row[c]) for c in _NUMBERS))
        for row in frame.collect()
    ]


def test_spark_finds_the_reports_top_gainers_over_7_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    write_history(data)
    done = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = Path(done.stdout.strip()).parent
    monkeypatch.chdir(tmp_path)
    # Settings for a small test, beside the snippet (which a user runs as it is): no web UI, and
    # one partition per shuffle instead of 200 for a few hundred rows.
    conf = tmp_path / "spark-conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text(
        "spark.ui.enabled false\nspark.sql.shuffle.partitions 1\n", encoding="utf-8"
    )
    monkeypatch.setenv("SPARK_CONF_DIR", str(conf))
    namespace: dict[str, Any] = {}
    try:
        exec(compile(readme_snippet("export-spark"), "README.md:export-spark", "exec"), namespace)  # noqa: S102
        absolute = _spark_rows(namespace["absolute"])
        relative = _spark_rows(namespace["relative"])
    finally:
        if "spark" in namespace:
            namespace["spark"].stop()
    assert absolute == _report_rows(report, "absolute")
    assert relative == _report_rows(report, "relative")
    # The history has more models than a ranking keeps, a tie, and models too small to rank.
    assert len(absolute) == len(relative) == 25
    ids = [row[0] for row in absolute]
    assert ids.index("tie/alpha") == ids.index("tie/beta") - 1
    assert "small/model" not in [row[0] for row in relative]
