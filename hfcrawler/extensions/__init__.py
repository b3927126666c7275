"""Crawl-wide components: the snapshot attempt's owner and the progress reporter."""
