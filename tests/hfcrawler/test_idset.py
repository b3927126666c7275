from hfcrawler.idset import IdSet


def test_ids_are_seen_once_across_merges():
    ids = IdSet(batch=100)
    assert all(ids.add(f"org/model-{i}") for i in range(1000))
    assert len(ids) == 1000
    # Old ids live in the merged array, recent ones in the batch: both are found.
    assert not ids.add("org/model-3")
    assert not ids.add("org/model-999")
    assert ids.add("org/model-1000")
    assert len(ids) == 1001
