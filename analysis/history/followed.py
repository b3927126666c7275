"""The day-by-day history of chosen repos: the top ones of the latest snapshot and those followed.

One row per repo and snapshot it appears in, read from each partition's Parquet cache: the columns
its repo type's `Trend` names (for models: 30-day downloads, downloadsAllTime and likes), and what
its counter gained since the snapshot before (per day of the real interval). A repo absent from
the snapshot before has no gain on that row, and a counter that went down is flagged as an anomaly
instead of giving a negative gain. `python -m analysis show` prints the same rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from analysis.history.ranks import ranks_of
from analysis.store.compact import CachedPartition, id_hashes
from analysis.store.repo_types import HASH_COLUMN, Trend
from analysis.store.rows import cache_files


def followed(latest_cache: Path, top: int, named: list[str], by: str) -> list[str]:
    """The `top` repos of the latest snapshot by `by` (30-day downloads), then the `named` ones."""
    table = ds.dataset(latest_cache, format="parquet").to_table(columns=["id", by])
    keys = [(by, "descending"), ("id", "ascending")]
    chosen = table.take(pc.select_k_unstable(table, k=min(top, table.num_rows), sort_keys=keys))
    leaders = chosen.filter(pc.is_valid(chosen[by])).sort_by(keys)
    ids = leaders["id"].to_pylist()
    return ids + [model for model in dict.fromkeys(named) if model not in ids]


def _rows_of(cache: Path, hashes: np.ndarray, columns: list[str]) -> pa.Table:
    """The rows of a snapshot's cache whose id hash is one of `hashes` (hash and `columns`, the
    counts): the hash column is read whole, the counts only from the row groups holding a
    match."""
    empty = {column: pa.array([], pa.int64()) for column in columns}
    found = [pa.table({HASH_COLUMN: pa.array([], pa.uint64()), **empty})]
    for path in cache_files(cache):
        parquet = pq.ParquetFile(path)
        column = parquet.read(columns=[HASH_COLUMN], use_threads=False)[HASH_COLUMN].to_numpy()
        hits = np.flatnonzero(np.isin(column, hashes))
        if len(hits) == 0:
            continue
        sizes = np.array(
            [parquet.metadata.row_group(group).num_rows for group in range(parquet.num_row_groups)]
        )
        starts = np.concatenate([[0], np.cumsum(sizes)])
        group_of = np.searchsorted(starts, hits, side="right") - 1
        groups = np.unique(group_of)
        table = parquet.read_row_groups(groups.tolist(), columns=columns, use_threads=False)
        # A hit's row in `table`: its offset in its group, after the groups read before it.
        read_before = np.concatenate([[0], np.cumsum(sizes[groups])])
        local = hits - starts[group_of] + read_before[np.searchsorted(groups, group_of)]
        rows = table.take(pa.array(local)).add_column(0, HASH_COLUMN, pa.array(column[hits]))
        found.append(rows)
    return pa.concat_tables(found)


def model_history(snapshots: list[CachedPartition], ids: list[str], trend: Trend) -> pd.DataFrame:
    """Rows of (id, date) for `ids` over `snapshots`, oldest first: the `trend`'s columns, what
    its counter gained since the snapshot before and per day, and whether it went down."""
    # Found by their ids' hashes: scanning integers, not millions of strings, in every snapshot.
    # (Another model of a snapshot sharing one of these few hashes has odds of about 1e-12.)
    hashes = id_hashes(ids)
    by_hash = dict(zip(hashes.to_pylist(), ids, strict=True))
    wanted = hashes.to_numpy()
    frames = []
    for position, snapshot in enumerate(snapshots):
        found = _rows_of(snapshot.directory, wanted, trend.columns)
        named = pa.array([by_hash[value] for value in found[HASH_COLUMN].to_pylist()], pa.string())
        table = found.drop_columns([HASH_COLUMN]).add_column(0, "id", named)
        frames.append(
            # Nullable integers: a count the Hub did not give stays missing, not a float NaN.
            table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get).assign(
                date=snapshot.day.isoformat(), snapshot=position, day=snapshot.day.toordinal()
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["order"] = frame["id"].map({model: n for n, model in enumerate(ids)})
    frame = frame.sort_values(["order", "snapshot"], ignore_index=True)
    earlier = frame.groupby("id", sort=False)[["snapshot", "day", trend.counter]].shift(1)
    # A gain needs the repo in the snapshot just before; after an absence it would span unseen
    # snapshots and mix a deletion and a re-creation into one number.
    consecutive = earlier["snapshot"] == frame["snapshot"] - 1
    difference = (frame[trend.counter] - earlier[trend.counter]).where(consecutive)
    frame["anomaly"] = (difference < 0).fillna(False).astype(bool)
    frame["gained"] = difference.where(~frame["anomaly"]).astype("Int64")
    days = (frame["day"] - earlier["day"]).where(consecutive)
    frame["per_day"] = frame["gained"].astype("Float64") / days
    return frame[["id", "date", *trend.columns, "gained", "per_day", "anomaly"]]


def cycles(history: pd.DataFrame) -> pd.DataFrame:
    """Rise, peak and decline of each followed model since it appeared, from its daily rates.

    The phase is "rising" while the latest rate is the peak, "declining" once it has fallen below
    half the peak, and "past peak" in between; a model with no measured rate yet has no phase.
    """
    rows = []
    for model, rows_of_model in history.groupby("id", sort=False):
        rates = rows_of_model.dropna(subset=["per_day"])
        row: dict[str, object] = {"id": model, "first_seen": rows_of_model["date"].iloc[0]}
        if rates.empty:
            rows.append(row)
            continue
        peak = rates.loc[rates["per_day"].astype("float64").idxmax()]
        latest = float(rates["per_day"].iloc[-1])
        top = float(peak["per_day"])
        phase = "past peak"
        if latest >= top:
            phase = "rising"
        elif latest < top / 2:
            phase = "declining"
        rows.append(
            {
                **row,
                "peak_date": peak["date"],
                "peak_per_day": top,
                "latest_date": rates["date"].iloc[-1],
                "latest_per_day": latest,
                "phase": phase,
            }
        )
    columns = ["id", "first_seen", "peak_date", "peak_per_day", "latest_date", "latest_per_day"]
    return pd.DataFrame(rows, columns=[*columns, "phase"])


def follow(
    snapshots: list[CachedPartition], top: int, named: list[str], trend: Trend
) -> dict[str, pd.DataFrame]:
    """The history (`model_history`) and the cycles (`model_cycles`) of the `top` repos of the
    latest of `snapshots` (by the `trend`'s main measure) and of the `named` ones: a worker's
    job, from the snapshots' caches."""
    leaders = followed(snapshots[-1].directory, top, named, trend.ranked_by[0])
    history = model_history(snapshots, leaders, trend)
    return {"model_history": history, "model_cycles": cycles(history)}


def ranked_history(snapshots: list[CachedPartition], ids: list[str], trend: Trend) -> pd.DataFrame:
    """`model_history` with each repo's rank in each snapshot by the `trend`'s main measure
    (analysis.history.ranks; missing without a count): what `python -m analysis show` prints."""
    history = model_history(snapshots, ids, trend)
    by = trend.ranked_by[0]
    found = list(dict.fromkeys(history["id"]))
    if not found:
        return history.assign(rank=pd.array([], dtype="Int64"))
    caches = [snapshot.directory for snapshot in snapshots]
    ranks = pd.concat(
        [
            ranked.assign(date=snapshot.day.isoformat())
            for snapshot, ranked in zip(snapshots, ranks_of(caches, found, [by]), strict=True)
        ],
        ignore_index=True,
    ).rename(columns={f"rank_{by}": "rank"})
    return history.merge(ranks, on=["id", "date"], how="left")
