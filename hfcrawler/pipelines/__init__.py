"""Item pipelines, in the order of ``ITEM_PIPELINES``: validate, deduplicate, write the snapshot.

Each receives one :class:`~hfcrawler.items.SnapshotPage` at a time and passes it on.
"""
