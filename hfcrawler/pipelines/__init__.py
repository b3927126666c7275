"""Item pipelines, in the order of ``ITEM_PIPELINES``: validate, deduplicate, write the snapshot.

All are synchronous on purpose: a page's records must reach the writer before the page's
:class:`~hfcrawler.items.PageEnd` marker, which checkpoints them.
"""
