"""One crawl of a repo type at a time: a second is refused, whatever files are deleted, and a crawl
that died never blocks the next one."""

import shutil
import signal

from fakehub.hub import SyntheticHub
from tests.helpers import crawl, partitions, read_partition, start_crawl, wait_for_pages

SEED, MODELS, PAGE = 9, 2000, 100
HUB = ("--models", str(MODELS), "--seed", str(SEED), "--page-cap", str(PAGE))
SETTINGS = {"HUB_PAGE_SIZE": PAGE}


def assert_exact(data):
    (partition,) = partitions(data)
    ids = [r["id"] for r in read_partition(partition)]
    assert len(ids) == len(set(ids)), "duplicates in the published partition"
    assert sorted(ids) == sorted(
        r["id"] for r in SyntheticHub(seed=SEED, models=MODELS).records("models")
    )


def test_a_second_crawl_is_refused_even_after_deleting_files(fakehub, tmp_path):
    hub = fakehub(*HUB, "--latency-page", "0.2")
    first = start_crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
    try:
        wait_for_pages(tmp_path, 2, first)
        # Paused, so that it certainly still runs (and holds its lock) while the others try.
        first.send_signal(signal.SIGSTOP)
        second = crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
        assert second.returncode == 1
        assert "FAILED, another crawl of models is running" in second.stderr
        # What an operator might remove to get past a lock: anything that is not the data.
        repo = tmp_path / "snapshots/models"
        for path in repo.iterdir():
            if path.name != ".attempt" and not path.name.startswith("date="):
                path.unlink() if path.is_file() else shutil.rmtree(path)
        third = crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
        assert third.returncode == 1
        assert "FAILED, another crawl of models is running" in third.stderr
        first.send_signal(signal.SIGCONT)
    except BaseException:
        first.kill()
        first.communicate()
        raise
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr[-3000:]
    assert "Resuming" not in stderr
    assert_exact(tmp_path)


def test_a_crawl_that_died_does_not_block_the_next(fakehub, tmp_path):
    hub = fakehub(*HUB, "--latency-page", "0.1")
    victim = start_crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
    try:
        wait_for_pages(tmp_path, 2, victim)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the models attempt" in result.stderr
    assert_exact(tmp_path)
