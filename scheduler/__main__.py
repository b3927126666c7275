"""``python -m scheduler``: see :mod:`scheduler.cli`."""

from scheduler.cli import main

raise SystemExit(main())
