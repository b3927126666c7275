"""The store: the snapshot store as the analysis reads it, and what it keeps of it.

It finds the complete partitions of a repo type (`partitions`, on the paths of `hfcrawler.layout`),
verifies each one against its manifest and compacts it once into a Parquet cache of the columns
its repo type declares (`repo_types`, `derive`, `taxonomy`, `verify`, `compact`), keeps the keyed
caches of later results (`keyed`, `atomic`), reads the author profiles (`profiles`), finds the ids
a mistyped one looks like (`ids`) and runs the worker processes everything heavy runs on
(`workers`). It knows nothing of the layers above.
"""
