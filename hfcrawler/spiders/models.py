"""``scrapy crawl models``: a complete snapshot of every model on the Hub (``/api/models``).

Writes ``<data>/snapshots/models/date=<UTC date>/`` (see the README's data layout). Uses
``HF_ENDPOINT`` and, when set, ``HF_TOKEN`` (the owner's private models are then included). Exits
non-zero, saying why, when no complete partition was published; the same command resumes it.
"""

from hfcrawler.base_spiders.listing import HubListingSpider
from hfcrawler.items import ModelRecord


class ModelsSpider(HubListingSpider):
    name = "models"
    snapshot_name = "models"
    api_path = "/api/models"
    record_class = ModelRecord
