"""The project's spiders: ``models``, ``datasets`` and ``spaces`` (Hub listings)."""
