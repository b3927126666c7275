"""The snapshot: the tallies of one compacted snapshot, the tables and headline of its report.

`tallies` splits the work into jobs for the workers, each reading only the cache columns it needs;
`aggregates` holds the group-bys and rankings, `authorship` the organisations-vs-users split and
`metrics` the concentration measures (Gini, Lorenz, top shares), `ranks` the competition ranks
and `entrants` the repos created lately that already rank. It reads the store only.
"""
