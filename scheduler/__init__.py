"""Running hfcrawler day to day: its crawls on Scrapyd, and the daily pipeline.

``python -m scheduler`` schedules spiders on Scrapyd safely, waits for them, cancels them and
reports how each job ended (:mod:`scheduler.cli`); ``python -m scheduler.daily`` crawls every repo
type and the authors, then analyses (:mod:`scheduler.daily`). Nothing here imports Scrapy: the
package runs with the standard library alone, and is not part of the egg deployed to Scrapyd.

Modules: :mod:`~scheduler.scrapyd` (Scrapyd's API, each answer checked),
:mod:`~scheduler.connection` (which Scrapyd, with which credentials), :mod:`~scheduler.jobs` (job
names, refusals, scheduling, waiting, cancelling), :mod:`~scheduler.lock` (one schedule command at
a time per Scrapyd and project), :mod:`~scheduler.outcome` (what became of a job, from its log's
verdict line), :mod:`~scheduler.job_settings` (the Scrapy settings a job may be given),
:mod:`~scheduler.cli` and :mod:`~scheduler.daily` (the two commands).
"""
