# Used by scrapyd-deploy to build the egg it uploads to Scrapyd.
from setuptools import find_packages, setup

from hfcrawler import __version__

setup(
    name="hfcrawler",
    version=__version__,
    packages=find_packages(include=["hfcrawler", "hfcrawler.*"]),
    package_data={"hfcrawler": ["py.typed"]},
    entry_points={"scrapy": ["settings = hfcrawler.settings"]},
    zip_safe=True,
)
