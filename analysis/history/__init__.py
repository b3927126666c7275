"""The history: what changed across the daily snapshots of a date range.

Read in this order: `timeline` (the snapshots of the range and its gaps), `digests` (what the
history keeps of each snapshot) and `intervals` (what happened between two consecutive snapshots,
computed once per pair and cached), then what is built from them: `walk` (the models and authors
gaining most, and with `rising` the ones rising against their usual pace, in one walk over the
intervals), `families` (the base-model families gaining most), `rankings` (the rankings both
share), `ranks` (where chosen repos ranked in a snapshot), `followed` (the day-by-day history of
chosen models) and `tables` (the history's result tables and summary). It reads the store and the
snapshot layer.
"""
