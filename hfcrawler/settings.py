"""Scrapy settings of hfcrawler: every default in one place.

Project settings are the ones named HUB_*, SNAPSHOT_*, DATA_DIR and PROGRESS_*; each is documented
here and can be overridden with ``-s NAME=VALUE`` (never the token: that comes only from the
environment, see :mod:`hfcrawler.hub`).
"""

BOT_NAME = "hfcrawler"
SPIDER_MODULES = ["hfcrawler.spiders"]
NEWSPIDER_MODULE = "hfcrawler.spiders"
# Our `crawl` replaces Scrapy's so that a crawl that published no complete partition exits non-zero.
COMMANDS_MODULE = "hfcrawler.commands"

USER_AGENT = "hfcrawler/0.1 (+https://github.com/hfcrawler/hfcrawler)"
ROBOTSTXT_OBEY = (
    False  # an API, not a website; politeness comes from the Hub's own RateLimit headers
)
COOKIES_ENABLED = False
# Both open a local control port into the crawl: never wanted for an unattended daily job.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "hfcrawler.logformatter.QuietLogFormatter"

# A listing is one chain of cursor pages, so there is never more than one request in flight per
# spider; running several spiders in one process shares the quota and the pacing.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 256 * 1024 * 1024
REACTOR_THREADPOOL_MAXSIZE = 4
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# The Hub: base URL (else the environment variable HF_ENDPOINT, else https://huggingface.co).
HUB_ENDPOINT = None
# Items asked per page; the server may return fewer, which never means the listing ended.
HUB_PAGE_SIZE = 1000

# Retries of 408/5xx/timeouts/dropped connections/unparseable bodies: exponential backoff with
# jitter from HUB_BACKOFF_BASE seconds, each wait capped at HUB_BACKOFF_MAX, and for one page at
# most HUB_RETRY_TIMES retries and HUB_RETRY_MAX_WAIT seconds of waiting (429 waits included).
HUB_RETRY_HTTP_CODES = [408, 500, 502, 503, 504, 522, 524]
HUB_RETRY_TIMES = 10
HUB_BACKOFF_BASE = 1.0
HUB_BACKOFF_MAX = 60.0
HUB_RETRY_MAX_WAIT = 900.0
# Requests left unused in each rate-limit window, for other clients of the same quota.
HUB_QUOTA_RESERVE = 0
# Share of a window's quota that may be used at once; the rest is spread over the window.
HUB_QUOTA_BURST = 0.9
# Processes crawling the same quota at once (separate Scrapyd jobs share no pacer): each counts
# only 1/N of what the Hub reports left. `python -m scheduler` sets it for the jobs it starts.
HUB_QUOTA_SHARED_BY = 1
# Seconds added after a window's announced reset before using the new window, since ``t`` is
# rounded to whole seconds (at most 2% of the window, so short windows are not wasted).
HUB_RESET_MARGIN = 1.0

RETRY_ENABLED = False  # replaced by hfcrawler.middlewares.retry, which backs off and bounds time
DOWNLOADER_MIDDLEWARES = {
    "hfcrawler.middlewares.auth.HubAuthMiddleware": 450,
    "hfcrawler.middlewares.retry.HubRetryMiddleware": 550,
    # Above 550 so that a 429 is seen (and waited out) before the retry middleware.
    "hfcrawler.middlewares.ratelimit.RateLimitMiddleware": 560,
}

ITEM_PIPELINES = {
    "hfcrawler.pipelines.validate.ValidatePipeline": 100,
    "hfcrawler.pipelines.dedupe.DedupePipeline": 200,
    "hfcrawler.pipelines.snapshot.SnapshotPipeline": 300,
}

EXTENSIONS = {
    "hfcrawler.extensions.snapshot.SnapshotExtension": 100,
    "hfcrawler.extensions.progress.Progress": 500,
}

# Where snapshots live: DATA_DIR, else the environment variable HFCRAWLER_DATA, else data/ beside
# scrapy.cfg. Give an absolute path under Scrapyd, which runs jobs in its own directory.
DATA_DIR = None
# The partition date (YYYY-MM-DD); empty means the UTC date the crawl started. For backfills of
# an emulator's history and for tests, never needed against the real Hub.
SNAPSHOT_DATE = None
# Records per part file before a new part is started.
SNAPSHOT_PART_RECORDS = 500_000
SNAPSHOT_COMPRESSLEVEL = 6
# An interrupted attempt younger than this is resumed by the next run; an older one is discarded.
SNAPSHOT_RESUME_MAX_AGE = 12 * 3600

# The authors crawl: most overview requests a run, and the age under which a profile is reused.
AUTHORS_BUDGET = 300
AUTHORS_MAX_AGE_DAYS = 7.0

# Seconds between progress lines in the log.
PROGRESS_INTERVAL = 15.0

LOGSTATS_INTERVAL = 0  # Progress replaces Scrapy's "Crawled N pages" line
FEED_EXPORT_ENCODING = "utf-8"
