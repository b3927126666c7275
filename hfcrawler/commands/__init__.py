"""Project commands; ``crawl`` here replaces Scrapy's (see ``COMMANDS_MODULE``)."""
