"""The request-meta keys through which the spiders and the downloader middlewares talk.

Both layers import them from here, so a middleware never depends on a spider (nor the other way).
Set by the spiders: what a request expects and which page it is. Set by the middlewares: how
often and how long a request was retried or held back, and the body they parsed for the spider.
"""

# Set by the spiders.
# The JSON type a 200 response must hold (list or dict); anything else is retried.
EXPECT = "hub_expect"
# The most items a listing page may hold: the ``limit`` it asked for.
MAX_ITEMS = "hub_max_items"
# The number of a listing page within the walk (from 1).
PAGE_NUMBER = "hub_page_number"

# Set by the middlewares.
# The parsed body of a response that held what EXPECT asked for: parsed once, by the retry
# middleware, which had to look at it anyway.
BODY = "hub_body"
# Retries made so far for this page (errors other than 429).
TRIES = "hub_retries"
# Seconds waited so far for this page (backoff and 429s).
WAITED = "hub_waited"
# 429s met so far by this request.
THROTTLED = "hub_throttled"
# The request holds a slot of its origin's pacer until it comes back.
BOOKED = "hub_booked"
