"""Command line of the emulator: `python -m fakehub --port 0 --models N [options]`.

Prints the base URL as the first line on stdout once it accepts connections; logs go to stderr;
SIGTERM or SIGINT stops it cleanly. Tokens come from the FAKEHUB_TOKENS environment variable
(`user1=hf_tokenA,user2=hf_tokenB`), never from the command line.
"""

import argparse
import asyncio
import logging
import os
import signal
import sys
import time

from aiohttp import web

from fakehub import hostile
from fakehub.authors import AccountFaults, parse_overview_status, parse_renamed
from fakehub.faults import FAULT_KINDS, parse_fault
from fakehub.hub import SyntheticHub
from fakehub.server import FakeHubServer, ServerOptions

logger = logging.getLogger("fakehub")


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fakehub",
        description="Serve a deterministic synthetic Hugging Face Hub API on loopback.",
        epilog="Tokens: FAKEHUB_TOKENS='user1=hf_tokenA,user2=hf_tokenB' (environment only). "
        "The base URL is printed as the first stdout line once the server accepts connections. "
        "Control routes (not rate limited): GET /_fakehub/stats, "
        "POST /_fakehub/advance?days=N, POST /_fakehub/reset-stats.",
    )
    data = parser.add_argument_group("synthetic data")
    data.add_argument(
        "--models", type=_count, default=1000, metavar="N", help="number of models (default 1000)"
    )
    data.add_argument("--datasets", type=_count, default=0, metavar="N", help="number of datasets")
    data.add_argument("--spaces", type=_count, default=0, metavar="N", help="number of Spaces")
    data.add_argument("--seed", type=_count, default=0, metavar="S", help="random seed (default 0)")
    data.add_argument(
        "--day",
        type=_count,
        default=0,
        metavar="K",
        help="start K days into the Hub's history: new, deleted and grown repos (default 0)",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    net.add_argument("--port", type=_count, default=0, help="port; 0 picks a free one (default 0)")
    net.add_argument(
        "--lowercase-headers",
        action="store_true",
        help="send header names in lower case (link, ratelimit, …) as HTTP/2 does",
    )
    net.add_argument(
        "--link-host",
        metavar="HOST",
        help="host name written in Link URLs instead of the request's own (same port)",
    )
    pages = parser.add_argument_group("pagination")
    pages.add_argument(
        "--page-cap",
        type=_positive,
        default=1000,
        metavar="N",
        help="most items per page (default 1000)",
    )
    pages.add_argument(
        "--max-limit-with-expand",
        type=_positive,
        metavar="N",
        help="smaller page cap when expand/full/config/cardData is asked for",
    )
    pages.add_argument(
        "--page-size-jitter",
        action="store_true",
        help="serve a random number of items between 1 and the limit on each page",
    )
    pages.add_argument(
        "--empty-last-page",
        action="store_true",
        help="the last non-empty page links to a final empty page",
    )
    limits = parser.add_argument_group('rate limit (bucket "api", shared by all endpoints)')
    limits.add_argument(
        "--quota",
        type=_count,
        default=0,
        metavar="Q",
        help="requests per window; 0 = unlimited (default)",
    )
    limits.add_argument(
        "--window", type=_positive, default=300, metavar="W", help="window seconds (default 300)"
    )
    limits.add_argument("--retry-after", action="store_true", help="send Retry-After on 429")
    limits.add_argument(
        "--no-ratelimit-headers",
        dest="ratelimit_headers",
        action="store_false",
        help="omit the RateLimit and RateLimit-Policy headers",
    )
    trouble = parser.add_argument_group("latency, faults and drift")
    trouble.add_argument(
        "--latency-page",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="seconds added to each listing response",
    )
    trouble.add_argument(
        "--latency-item",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="seconds added per item served",
    )
    trouble.add_argument(
        "--error-rate",
        type=_fraction,
        metavar="P",
        default=0.0,
        help="fraction of listing requests answered with a random 500/502/503/504",
    )
    trouble.add_argument(
        "--fault",
        action="append",
        default=[],
        type=parse_fault,
        metavar="KIND@PAGE[xCOUNT]",
        help="inject a fault when page PAGE of a listing walk is requested (repeatable); "
        f"KIND in {', '.join(FAULT_KINDS)}; COUNT = times it fires (default 1, * = always)",
    )
    trouble.add_argument(
        "--renamed-account",
        action="append",
        default=[],
        type=parse_renamed,
        metavar="OLD=NEW",
        help="the account OLD is now NEW: its overview redirects (307) to NEW's, which serves "
        "its profile; listings keep saying OLD, as one crawled before the renaming (repeatable)",
    )
    trouble.add_argument(
        "--overview-status",
        action="append",
        default=[],
        type=parse_overview_status,
        metavar="NAME=STATUS",
        help="answer the overview of NAME with HTTP STATUS, 400 to 599 (repeatable)",
    )
    trouble.add_argument(
        "--omit-field",
        dest="omit_fields",
        action="append",
        default=[],
        metavar="NAME",
        help="leave field NAME out of every listing item, even when asked for (repeatable)",
    )
    trouble.add_argument(
        "--slow-seconds",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="delay of the slow fault (default 30)",
    )
    trouble.add_argument(
        "--drift",
        type=_fraction,
        metavar="RATE",
        default=0.0,
        help="fraction of repos whose downloads/likes/trendingScore/lastModified change "
        "on every listing request",
    )
    hostile.add_arguments(parser)
    return parser


def parse_tokens(text: str) -> dict[str, str]:
    """FAKEHUB_TOKENS `user=token,…` as a token -> user mapping."""
    tokens = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        user, separator, token = entry.partition("=")
        if not separator or not user or not token:
            raise ValueError("FAKEHUB_TOKENS must look like user1=hf_tokenA,user2=hf_tokenB")
        tokens[token] = user
    return tokens


async def serve(server: FakeHubServer, host: str, port: int) -> None:
    """Listen until SIGTERM or SIGINT, announcing the base URL on stdout once bound."""
    # In-flight requests (a slow fault sleeps for long) must not hold up a stop.
    runner = web.AppRunner(
        server.application(), access_log=None, handle_signals=False, shutdown_timeout=1.0
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    url_host = f"[{host}]" if ":" in host else host
    print(f"http://{url_host}:{bound_port}", flush=True)
    try:
        await stop.wait()
    finally:
        logger.info("stopping")
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    try:
        tokens = parse_tokens(os.environ.get("FAKEHUB_TOKENS", ""))
    except ValueError as error:
        parser.error(str(error))
    started = time.perf_counter()
    try:
        hub = SyntheticHub(
            seed=args.seed, models=args.models, datasets=args.datasets, spaces=args.spaces,
            day=args.day,
        )  # fmt: skip
    except ValueError as error:
        parser.error(str(error))
    logger.info(
        "generated %d models, %d datasets, %d spaces (day %d) in %.2f s",
        len(hub.tables["models"]), len(hub.tables["datasets"]), len(hub.tables["spaces"]),
        hub.day, time.perf_counter() - started,
    )  # fmt: skip
    options = ServerOptions(
        seed=args.seed,
        page_cap=args.page_cap,
        page_size_jitter=args.page_size_jitter,
        quota=args.quota,
        window=args.window,
        retry_after=args.retry_after,
        ratelimit_headers=args.ratelimit_headers,
        latency_page=args.latency_page,
        latency_item=args.latency_item,
        error_rate=args.error_rate,
        faults=tuple(args.fault),
        slow_seconds=args.slow_seconds,
        drift=args.drift,
        link_host=args.link_host,
        empty_last_page=args.empty_last_page,
        lowercase_headers=args.lowercase_headers,
        max_limit_with_expand=args.max_limit_with_expand,
        omit_fields=tuple(args.omit_fields),
        tokens=tokens,
        accounts=AccountFaults(dict(args.renamed_account), dict(args.overview_status)),
        hostile=hostile.from_arguments(args),
    )
    asyncio.run(serve(FakeHubServer(hub, options), args.host, args.port))
    return 0
