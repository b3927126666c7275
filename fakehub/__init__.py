"""fakehub: a local emulator of the Hugging Face Hub API, for the demo, tests and benchmarks.

It follows the real Hub (bare JSON arrays, keyset cursors announced in `Link: <…>; rel="next"`,
`expand`/`full` field selection, 400s for what the Hub rejects, RateLimit headers on every response)
and can misbehave on purpose (rate limits, latency, faults, drift), over a deterministic synthetic
population with the Hub's skew. Nothing leaves the loopback interface.

Command line::

    python -m fakehub --port 0 --models 100000 --datasets 1000 --spaces 1000 --seed 0
    python -m fakehub --models 5000 --quota 500 --window 300 --retry-after
    python -m fakehub --models 5000 --fault error@3 --fault drop@5x2 --fault slow@7 --drift 0.01

The first stdout line is the base URL (e.g. `http://127.0.0.1:43567`) once connections are
accepted; logs go to stderr; SIGTERM/SIGINT stop it. `python -m fakehub --help` lists every option.
Tokens come only from the environment: `FAKEHUB_TOKENS="user1=hf_tokenA,user2=hf_tokenB"`; a
valid token of an author also lists that author's private repos, an unknown token gets 401.

Endpoints: GET /api/models, /api/datasets, /api/spaces (params sort, limit, cursor, expand,
expand[], full, config, cardData, author, search, pipeline_tag, filter, gated),
GET /api/users/{name}/overview, GET /api/organizations/{name}/overview, and the unmetered
control routes GET /_fakehub/stats, POST /_fakehub/advance?days=N, POST /_fakehub/reset-stats.

Python::

    from fakehub.hub import SyntheticHub
    hub = SyntheticHub(seed=0, models=1000, datasets=100, spaces=100, day=0)
    list(hub.records("models", token_owner=None))  # what a complete crawl must find
    hub.owners_with_private("models")             # owners to issue tokens to in tests

    from fakehub.process import FakeHubProcess
    with FakeHubProcess(["--models", "1000"], tokens={"open-lab": "hf_x"}) as server:
        pages = list(server.walk("/api/models?sort=createdAt&expand=author"))
"""
