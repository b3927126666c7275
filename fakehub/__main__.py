"""Entry point of `python -m fakehub`; see fakehub.cli."""

from fakehub.cli import main

raise SystemExit(main())
