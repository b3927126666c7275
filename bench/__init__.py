"""Benchmarks of hfcrawler against what users would run instead (`make bench`, `python -m bench`).

`bench_crawl` times the spider against `huggingface_hub`'s listings on the bundled emulator;
`bench_analysis` times the analysis against DuckDB. Results go to `bench/out/` (git-ignored).
"""
