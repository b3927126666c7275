"""``scrapy crawl datasets``: a complete snapshot of every dataset on the Hub (``/api/datasets``).

Writes ``<data>/snapshots/datasets/date=<UTC date>/`` (see the README's data layout). Uses
``HF_ENDPOINT`` and, when set, ``HF_TOKEN`` (the owner's private datasets are then included). Exits
non-zero, saying why, when no complete partition was published; the same command resumes it.
"""

from hfcrawler.base_spiders.listing import HubListingSpider
from hfcrawler.items import DatasetRecord


class DatasetsSpider(HubListingSpider):
    name = "datasets"
    snapshot_name = "datasets"
    api_path = "/api/datasets"
    record_class = DatasetRecord
