"""Downloader middlewares: the token, retries with backoff, and rate-limit pacing."""
