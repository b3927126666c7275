"""The render layer: the report's charts (PNG), CSV tables, summary.json and index.html.

Each chart is declared once, with its title, caption, tables and drawing call together
(`catalogue` for the snapshot's, `history_catalogue` for the history's); `charts` and
`history_charts` draw, `csv_files` writes tables safe for spreadsheets, `page` renders the page
from `templates/` (with `links` to the Hub), `terminal` writes tables for a terminal (`show`), and
`report` assembles the report's summary and page. It turns results into files and computes
nothing of its own.
"""
