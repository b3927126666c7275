"""The export: the history as a typed, documented dataset of Parquet files (see the README's
Export section for its columns and how to read it).

`python -m analysis` ends by exporting, and `python -m analysis export` (`command`) exports
alone: every complete, sound partition of models, datasets and Spaces dated after the export's
latest day becomes a day partition `exports/daily/<type>/date=<YYYY-MM-DD>/`, one row per repo
with what it gained since the export's previous day, and the repos table `exports/repos/<type>/`
holds the latest row of every repo ever seen. The modules, in order: `schema` (the columns and
their version, declared once), `files` (written whole or not at all, the lock), `known` (what
the export knows of the repos it has seen), `day` (one day's rows, and the repos absent from
it), `dataset` (the export of a data directory, day by day).
"""
