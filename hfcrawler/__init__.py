"""hfcrawler: complete, dated snapshots of the Hugging Face Hub's metadata, built on Scrapy."""

__version__ = "0.1.0"
