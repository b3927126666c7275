"""Turn dated Hub snapshots into charts, CSV tables and a self-contained HTML report.

`python -m analysis` (`__main__`: options and exit statuses) hands its request to one orchestrator,
`run`, which chooses the partitions and owns the worker pool, and `pipeline`, its steps;
`python -m analysis show` (`show`: options and exit statuses) hands its ids to `lookup`. Below
them, four layers, each a package, each importing only those under it:

- `store`: the snapshot store as the analysis reads it: complete partitions, their verification
  against their manifests, the Parquet caches, the repo types' columns, the workers;
- `snapshot`: the tallies of one snapshot;
- `history`: digests, intervals, velocity and followed models across the snapshots of a range;
- `render`: the charts, CSV tables, summary.json and index.html.

`defaults` (settings) and `text` (hostile strings made safe to show) serve every layer, and the
data directory's paths come from `hfcrawler.layout`, computed once by the run. Beside the layers,
`export` writes the history as a dataset of Parquet files (`python -m analysis export`, and the
end of every run); it reads only the store.
"""
