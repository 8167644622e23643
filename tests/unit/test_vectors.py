"""The dense index: exact below the ANN threshold, HNSW above it, and both agree."""

import numpy as np
import pytest

from paperboard.search import vectors as V


def unit(rng, n, dim=32):
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def filled(tmp_path):
    def make(n, ann_from):
        V.ANN_FROM = ann_from
        rng = np.random.default_rng(7)
        index = V.VectorIndex(tmp_path / "v", 32, "test-model")
        data = unit(rng, n)
        filler = index.fill()
        filler.add([f"p{i}" for i in range(n)], data)
        filler.close()
        return index, data, rng
    yield make
    V.ANN_FROM = 200_000


def test_exact_and_approximate_top_k_agree(filled):
    exact, data, rng = filled(2000, ann_from=10**9)
    assert exact._ann is None
    approx = V.VectorIndex(exact.path, 32, "test-model")
    V.ANN_FROM = 1000
    approx._maybe_fold()  # no graph yet: built from every row
    approx._publish()
    assert approx._ann is not None and approx._ann_rows == 2000
    queries = unit(rng, 20)
    overlap = [len({p for p, _ in exact.top(q, 10)} & {p for p, _ in approx.top(q, 10)}) / 10 for q in queries]
    assert np.mean(overlap) >= 0.9
    best, score = approx.top(data[5], 1)[0]
    assert best == "p5" and score == pytest.approx(1.0, abs=1e-2)


def test_reopen_upsert_and_exclude(filled):
    index, _data, rng = filled(600, ann_from=500)
    assert index._ann is not None and len(index) == 600
    reopened = V.VectorIndex(index.path, 32, "test-model")
    assert reopened._ann is not None and reopened.vector("p3") is not None
    new = unit(rng, 2)
    reopened.upsert(["p3", "new"], new)  # one moved, one added
    assert len(reopened) == 601
    assert reopened.top(new[0], 1)[0][0] == "p3" and reopened.top(new[1], 1)[0][0] == "new"
    assert "p3" not in [p for p, _ in reopened.top(new[0], 3, exclude={"p3"})]
    other_model = V.VectorIndex(index.path, 32, "another-model")
    assert len(other_model) == 0  # vectors of another model are never mixed in
    stored = np.load(index.path / "vectors.npy")  # written in place: still a valid .npy of every row
    assert stored.shape == (601, 32) and np.allclose(stored[3], new[0]) and np.allclose(stored[600], new[1])


def test_updates_wait_beside_the_graph_until_folded_and_other_processes_see_them(filled, monkeypatch):
    index, data, rng = filled(600, ann_from=500)
    monkeypatch.setattr(V, "FOLD_AT", 40)
    graph = (index.path / "ann.usearch").stat()
    reader = V.VectorIndex(index.path, 32, "test-model")  # as another server process would hold it
    moved, added = unit(rng, 1), unit(rng, 30)
    index.upsert(["p7", *(f"n{i}" for i in range(30))], np.vstack([moved, added]))
    assert (index.path / "ann.usearch").stat().st_ino == graph.st_ino  # not rewritten for 31 rows
    assert index._ann_rows == 600 and index._stale == {7} and len(index._delta) == 31
    assert index.top(moved[0], 1)[0][0] == "p7"  # its new vector, from the delta
    assert "p7" not in [p for p, _ in index.top(data[7], 5)]  # the graph's old entry is not used
    assert index.top(added[29], 1)[0][0] == "n29"
    assert "n29" not in reader
    reader.refresh()
    assert reader.top(added[29], 1)[0][0] == "n29" and len(reader) == 630
    index.upsert([f"m{i}" for i in range(20)], unit(rng, 20))  # 50 outside the graph: folded
    assert index._ann_rows == 650 and not index._stale and not len(index._delta)
    assert (index.path / "ann.usearch").stat().st_ino != graph.st_ino
    assert index.top(moved[0], 1)[0][0] == "p7" and index.top(added[29], 1)[0][0] == "n29"
    reopened = V.VectorIndex(index.path, 32, "test-model")
    assert reopened._ann_rows == 650 and reopened.top(added[0], 1)[0][0] == "n0"


def test_passages_rescore_candidates_after_rebuild_reopen_and_upsert(tmp_path):
    rng = np.random.default_rng(3)
    index = V.VectorIndex(tmp_path / "v", 32, "test-model")
    blocks = [unit(rng, 3), unit(rng, 0), unit(rng, 1)]  # p1 has no abstract: no passages
    filler = index.fill()
    filler.add(["p0", "p1", "p2"], unit(rng, 3), blocks)
    filler.close()
    assert index.has_passages
    best = index.best_passages(blocks[0][1], ["p0", "p1", "p2", "unknown"])
    assert set(best) == {"p0", "p2"} and best["p0"] == pytest.approx(1.0, abs=1e-3)  # half floats
    assert best["p2"] == pytest.approx(float(blocks[2][0] @ blocks[0][1]), abs=1e-2)

    reopened = V.VectorIndex(tmp_path / "v", 32, "test-model")
    moved, added = unit(rng, 2), unit(rng, 2)
    reopened.upsert(["p2", "p3"], unit(rng, 2), [moved, added])
    again = V.VectorIndex(tmp_path / "v", 32, "test-model")
    best = again.best_passages(moved[1], ["p0", "p2", "p3"])
    assert best["p2"] == pytest.approx(1.0, abs=1e-3) and best["p3"] < 0.9
    assert again.best_passages(blocks[0][1], ["p0"])["p0"] == pytest.approx(1.0, abs=1e-3)  # untouched

    plain = V.VectorIndex(tmp_path / "w", 32, "test-model")  # an embedder without passages
    filler = plain.fill()
    filler.add(["p0"], unit(rng, 1))
    filler.close()
    assert not plain.has_passages and plain.best_passages(blocks[0][0], ["p0"]) == {}


def test_id_table_finds_rows_by_id_and_grows():
    from paperboard.search.idtable import IdTable

    table = IdTable(["2501.00002", "2501.00001", "title:0a1b"])
    assert [table.row(i) for i in ("2501.00001", "title:0a1b", "2501.00003", "x" * 60)] == [1, 2, None, None]
    table.extend(["hep-th/9901001v2-a-longer-id"])  # wider than any before
    assert table.row("hep-th/9901001v2-a-longer-id") == 3 and table.row("2501.00002") == 0
    assert table[2] == "title:0a1b" and len(table) == 4 and "2501.00001" in table and "nope" not in table
    assert list(table) == ["2501.00002", "2501.00001", "title:0a1b", "hep-th/9901001v2-a-longer-id"]


def test_upsert_of_the_same_new_id_twice_keeps_one_row_with_the_last_vector(filled):
    index, _data, rng = filled(10, ann_from=10**9)
    a, b = unit(rng, 2)
    index.upsert(["new", "new"], np.vstack([a, b]))
    assert len(index) == 11 and np.allclose(index.vector("new"), b)


def test_an_index_written_by_an_older_release_opens(filled):
    import orjson

    index, data, _rng = filled(600, ann_from=500)
    ids = [f"p{i}" for i in range(600)]  # ids inside meta.json and a graph of every row, as it was
    (index.path / "meta.json").write_bytes(orjson.dumps({"model": "test-model", "dim": 32, "ids": ids}))
    (index.path / "ids.npy").unlink()
    old = V.VectorIndex(index.path, 32, "test-model")
    assert len(old) == 600 and old._ann_rows == 600 and old.top(data[42], 1)[0][0] == "p42"
    old.upsert(["p1"], data[2:3])
    again = V.VectorIndex(index.path, 32, "test-model")
    assert (index.path / "ids.npy").exists() and {p for p, _ in again.top(data[2], 2)} == {"p1", "p2"}


def test_a_serving_process_never_folds_the_graph(filled, monkeypatch):
    index, _data, rng = filled(600, ann_from=500)
    monkeypatch.setattr(V, "FOLD_AT", 10)
    graph = (index.path / "ann.usearch").stat().st_ino
    added = unit(rng, 30)
    index.upsert([f"n{i}" for i in range(30)], added, fold=False)  # past FOLD_AT, yet not folded
    assert (index.path / "ann.usearch").stat().st_ino == graph and index._ann_rows == 600
    assert index.top(added[12], 1)[0][0] == "n12"
    index.upsert(["n0"], added[:1])  # the next ingest folds
    assert index._ann_rows == 630 and (index.path / "ann.usearch").stat().st_ino != graph


def test_a_search_while_the_index_publishes_its_update_sees_the_old_rows_or_the_new(filled, monkeypatch):
    """Publishing reloads the index; a search in another thread at that moment saw an empty matrix with
    the new ids (IndexError: a 500). Here the search runs at the worst moment: while the matrix loads."""
    index, data, rng = filled(300, ann_from=10**9)
    seen = []
    load = V.VectorIndex._map_matrix

    def search_meanwhile(self):  # type: ignore[no-untyped-def]
        seen.append(index.scores_for(data[7], ["p7", "p8"]))
        seen.append([pid for pid, _ in index.top(data[7], 1)])
        return load(self)

    monkeypatch.setattr(V.VectorIndex, "_map_matrix", search_meanwhile)
    index.upsert(["new"], unit(rng, 1))
    assert seen[0]["p7"] == pytest.approx(1.0, abs=1e-4) and set(seen[0]) == {"p7", "p8"}
    assert seen[1] == ["p7"]
    assert len(index) == 301 and index.vector("new") is not None


def test_a_damaged_vectors_file_is_an_error_to_catch_not_a_crash(filled):
    index, _data, _rng = filled(300, ann_from=10**9)
    with open(index.path / "vectors.npy", "r+b") as fh:
        fh.truncate(4096)
    with pytest.raises((ValueError, OSError)):
        V.VectorIndex(index.path, 32, "test-model")
