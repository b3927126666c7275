"""``scrapy crawl spaces``: a complete snapshot of every Space on the Hub (``/api/spaces``).

Writes ``<data>/snapshots/spaces/date=<UTC date>/`` (see the README's data layout). Uses
``HF_ENDPOINT`` and, when set, ``HF_TOKEN`` (the owner's private spaces are then included). Exits
non-zero, saying why, when no complete partition was published; the same command resumes it.
"""

from hfcrawler.base_spiders.listing import HubListingSpider
from hfcrawler.items import SpaceRecord


class SpacesSpider(HubListingSpider):
    name = "spaces"
    snapshot_name = "spaces"
    api_path = "/api/spaces"
    record_class = SpaceRecord
