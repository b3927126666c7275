"""Shared crawling logic; the spiders in :mod:`hfcrawler.spiders` are thin subclasses."""
