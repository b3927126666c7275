"""Turn dated Hub snapshots into charts, CSV tables and a self-contained HTML report.

`python -m analysis` finds the latest complete `models` partition of the snapshot store,
compacts it once into a Parquet cache with derived columns (license, lineage, modality), computes
the metrics and writes `<out>/<date>/` with `charts/`, `tables/`, `summary.json` and `index.html`.
"""
