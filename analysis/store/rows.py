"""Chosen rows of a Parquet cache or export file, read without decoding the others.

A cache (or an export's day) is one Parquet file per part; its rows are those of the files in the
order of their names, which is the manifest's order of parts. `take_rows` reads only the row groups
holding one of the rows asked: the few thousand repos deleted or created in a day are read
without the strings of the millions of others.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def cache_files(directory: Path) -> list[Path]:
    """A cache's Parquet files in the order of its rows (the manifest's order of parts)."""
    return sorted(directory.glob("*.parquet"))


def take_rows(files: list[Path], rows: np.ndarray, columns: list[str]) -> pa.Table:
    """The `columns` at the ascending `rows` of the Parquet `files` (one table, in that order),
    read only from the row groups holding some (null columns when there is no file)."""
    taken = []
    schema = pa.schema([(name, pa.null()) for name in columns])
    start = 0
    for path in files:
        parquet = pq.ParquetFile(path)
        schema = pa.schema([parquet.schema_arrow.field(name) for name in columns])
        for group in range(parquet.metadata.num_row_groups):
            size = parquet.metadata.row_group(group).num_rows
            low, high = np.searchsorted(rows, [start, start + size])
            if high > low:
                values = parquet.read_row_group(group, columns=columns)
                taken.append(values.take(pa.array(rows[low:high] - start)))
            start += size
    return pa.concat_tables(taken) if taken else schema.empty_table()
