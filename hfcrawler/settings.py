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
# Real listing pages are 1-2 MB: a body past this (once decompressed: Scrapy checks as it
# inflates) fails the page instead of filling memory; one past the warning size is logged.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REACTOR_THREADPOOL_MAXSIZE = 4
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# The Hub: base URL (else the environment variable HF_ENDPOINT, else https://huggingface.co).
HUB_ENDPOINT = None
# Items asked per page; the server may return fewer, which never means the listing ended.
HUB_PAGE_SIZE = 1000

# Retries of 408/5xx/timeouts/dropped connections/unparseable bodies: exponential backoff with
# jitter from HUB_BACKOFF_BASE seconds, each wait capped at HUB_BACKOFF_MAX, and for one page at
# most HUB_RETRY_TIMES retries and HUB_RETRY_MAX_WAIT seconds of waiting (429 waits included,
# and no single pacing wait may be longer).
HUB_RETRY_HTTP_CODES = [408, 500, 502, 503, 504, 522, 524]
HUB_RETRY_TIMES = 10
HUB_BACKOFF_BASE = 1.0
HUB_BACKOFF_MAX = 60.0
HUB_RETRY_MAX_WAIT = 900.0
# Bounds on what the Hub can make a crawl do, a broken or hostile server included.
# 429 answers one page may get before the crawl gives up on it; their waits count towards
# HUB_RETRY_MAX_WAIT, but not towards HUB_RETRY_TIMES (which counts the other errors).
HUB_RETRY_429_TIMES = 20
# A pacing wait at least this long is logged, so that a long pause never looks like a hang.
HUB_PACE_LOG_WAIT = 10.0
# Most pages of one listing: the smaller of HUB_MAX_PAGES and HUB_MAX_PAGES_GROWTH times the
# pages of the last complete snapshot (rescaled to this page size) plus HUB_MAX_PAGES_SLACK.
# Past it the crawl fails: a listing that never ends is a broken server, not a bigger Hub.
HUB_MAX_PAGES = 100_000
HUB_MAX_PAGES_GROWTH = 3.0
HUB_MAX_PAGES_SLACK = 100
# JSON values a listing page may hold per item asked for (real items have about 30): a body
# with more, such as a gzip bomb of empty objects, is refused before it is parsed.
HUB_PAGE_VALUES_PER_ITEM = 1000
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
    "hfcrawler.pipelines.write.WritePipeline": 300,
}

EXTENSIONS = {
    "hfcrawler.extensions.publish.PublishExtension": 100,
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
# (A finished one is never discarded for its age: the next run publishes it under its own date.)
SNAPSHOT_RESUME_MAX_AGE = 12 * 3600

# Sanity rules at publish (hfcrawler.sanity): a finished crawl that breaks one is not published;
# its attempt is kept, and the same command with the named setting publishes it on purpose.
# Fewest records a partition may have (an empty listing is an outage, not an empty Hub).
SNAPSHOT_MIN_RECORDS = 1
# Least share of the latest complete partition's records (same repo type and endpoint): a listing
# that ends early, e.g. because a page came without its Link header, is caught here.
SNAPSHOT_MIN_SHARE = 0.9
# Fields asked for with ``expand`` that may have no value in any record (the Hub renamed or
# dropped them on purpose); any other such field stops the publish.
SNAPSHOT_ALLOW_ABSENT_FIELDS: list[str] = []

# The authors crawl: most overview requests a run, and the age under which a profile is reused.
AUTHORS_BUDGET = 300
AUTHORS_MAX_AGE_DAYS = 7.0

# Seconds between progress lines in the log.
PROGRESS_INTERVAL = 15.0

LOGSTATS_INTERVAL = 0  # Progress replaces Scrapy's "Crawled N pages" line
FEED_EXPORT_ENCODING = "utf-8"
