"""The search index follows the store by its watermark: nothing twice, nothing missed."""

import datetime as dt

import pytest
from sqlalchemy import update

from paperboard.models import Paper
from paperboard.search.service import SearchIndex
from paperboard.storage.papers import upsert
from paperboard.storage.schema import papers


def add(engine, *ids):
    with engine.begin() as conn:
        upsert(conn, [Paper(id=i, title=f"Paper about topic {i}", abstract="An abstract on graphs.") for i in ids])


def test_catch_up_indexes_each_change_once_and_late_commits_too(engine, tmp_path):
    index = SearchIndex(tmp_path)
    add(engine, "2501.00001", "2501.00002")
    assert index.catch_up(engine) == 2
    assert index.pending(engine)[0] == []  # the minute before the watermark is not indexed again
    assert index.catch_up(engine) == 0
    add(engine, "2501.00003")
    assert index.pending(engine)[0] == ["2501.00003"]
    index.catch_up(engine)
    # a writer that stamped its row before the watermark but committed after the index caught up
    add(engine, "2501.00004")
    mark = index.watermark()
    with engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.id == "2501.00004")
                     .values(changed_at=mark - dt.timedelta(seconds=20)))
    assert "2501.00004" in index.pending(engine)[0]
    index.catch_up(engine)
    assert [h.id for h in index.search(engine, "topic 2501.00004 graphs", limit=10).hits].count("2501.00004") == 1
    assert index.pending(engine)[0] == []


def test_an_index_of_an_older_schema_is_rebuilt_from_the_store(engine, tmp_path):
    add(engine, "2501.00001", "2501.00002", "2501.00003")
    first = SearchIndex(tmp_path)
    first.catch_up(engine)
    live = first.folders.live()
    (live / "lexical" / "paperboard-schema").write_text("1")  # as an older release left it
    (live / "state.json").write_text('{"indexed_until": "2030-01-01T00:00:00"}')  # its older place
    index = SearchIndex(tmp_path)
    assert len(index.lexical) == 0 and index.watermark() is None
    assert index.catch_up(engine) == 3
    assert len(index.lexical) == 3 and len(index.vectors) == 3
    assert [h.id for h in index.search(engine, "topic 2501.00002", limit=1).hits] == ["2501.00002"]


class Letters:
    """A tiny embedder of its own name (its vectors get their own folder): letter counts."""

    name, dim, passages, fusion_base = "letters", 26, False, 0.25

    def embed(self, texts):
        import numpy as np

        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_a_new_embedder_gets_vectors_for_every_paper_on_the_next_catch_up(engine, tmp_path):
    add(engine, "2501.00001", "2501.00002")
    SearchIndex(tmp_path).catch_up(engine)
    switched = SearchIndex(tmp_path, Letters())
    assert len(switched.vectors) == 0 and sorted(switched.pending(engine)[0]) == ["2501.00001", "2501.00002"]
    assert switched.catch_up(engine) == 2
    assert len(switched.vectors) == 2 and len(switched.lexical) == 2  # replaced, not added twice
    add(engine, "2501.00003")
    switched.catch_up(engine)
    first = SearchIndex(tmp_path)  # back to the first embedder: it has not seen the new paper yet
    assert first.pending(engine)[0] == ["2501.00003"]
    assert first.catch_up(engine) == 1 and len(first.vectors) == 3 and len(first.lexical) == 3


def test_a_server_process_sees_papers_another_process_indexed(engine, tmp_path):
    add(engine, "2501.00001", "2501.00002")
    ingest = SearchIndex(tmp_path)
    ingest.catch_up(engine)
    server = SearchIndex(tmp_path)  # opened before the next ingest, as a running worker would be
    assert len(server.vectors) == 2
    add(engine, "2501.00003")
    ingest.catch_up(engine)
    related = server.similar(engine, paper_id="2501.00003", limit=2)  # its vector is known
    assert {h.id for h in related} == {"2501.00001", "2501.00002"} and len(server.vectors) == 3


def test_a_paper_stored_without_an_id_that_finds_its_id_is_indexed_once_under_it(engine, tmp_path):
    from paperboard.ids import title_id

    title = "Sparse graph transformers for molecules"
    add(engine, "2501.00001")
    with engine.begin() as conn:  # as a dump without ids stores it
        upsert(conn, [Paper(id=title_id(title), title=title, abstract="Molecules as sparse graphs.")])
    index = SearchIndex(tmp_path)
    index.catch_up(engine)
    assert title_id(title) in index.vectors
    with engine.begin() as conn:  # the same paper arrives from arXiv: the stored row takes the real id
        upsert(conn, [Paper(id="2502.00002", title=title, abstract="Molecules as sparse graphs.")])
    for reopened in (index, SearchIndex(tmp_path)):
        if reopened is index:
            index.catch_up(engine)
        assert len(reopened.lexical) == 2 and len(reopened.vectors) == 2
        assert title_id(title) not in reopened.vectors and "2502.00002" in reopened.vectors
        hits = reopened.search(engine, "sparse graph transformers molecules", limit=5).hits
        assert hits[0].id == "2502.00002"
    other = SearchIndex(tmp_path, Letters())  # a first index of another embedder (the BM25 is shared)
    other.catch_up(engine)
    assert len(other.lexical) == 2 and len(other.vectors) == 2


def test_search_answers_from_bm25_before_the_vectors_exist_and_blends_them_in_as_they_arrive(
        engine, tmp_path, monkeypatch):
    from paperboard.search import service

    monkeypatch.setattr(service, "EMBED_BATCH", 2)
    monkeypatch.setattr(service, "PUBLISH_EVERY", 2)
    ids = [f"2501.0000{i}" for i in range(1, 7)]
    add(engine, *ids)
    serving = SearchIndex(tmp_path)  # a process that serves the site meanwhile
    seen = []

    def look(_batch: int) -> None:
        words = serving.search(engine, "topic graphs", limit=10).hits
        meaning = serving.search(engine, "topic graphs", limit=10, mode="dense").hits
        seen.append((len(words), len(meaning), serving.semantic_share()))

    steps = []
    assert SearchIndex(tmp_path).catch_up(engine, on_progress=look,
                                          on_step=lambda name, n: steps.append((name, n))) == 6
    assert steps == [("BM25", 6), ("embeddings", 6)]
    # while BM25 is written nothing is served (a first index is published whole); then every search
    # answers from BM25 at once, and the dense side grows as each chunk of vectors is published
    assert seen == [(0, 0, 0.0)] * 3 + [(6, 2, 2 / 6), (6, 4, 4 / 6), (6, 6, 1.0)]
    at_once = SearchIndex(tmp_path / "at-once")
    at_once.catch_up(engine)
    blended = [(h.id, round(h.score, 6)) for h in serving.search(engine, "topic graphs", limit=10).hits]
    assert blended == [(h.id, round(h.score, 6)) for h in at_once.search(engine, "topic graphs", limit=10).hits]


def test_an_index_killed_while_embedding_serves_bm25_and_the_next_catch_up_finishes_it(
        engine, tmp_path, monkeypatch):
    from paperboard.search import service

    monkeypatch.setattr(service, "EMBED_BATCH", 2)
    monkeypatch.setattr(service, "PUBLISH_EVERY", 2)
    add(engine, *[f"2501.0000{i}" for i in range(1, 7)])

    def killed(batch: int) -> None:
        if steps[-1][0] == "embeddings":
            raise KeyboardInterrupt  # as a kill part way through the embeddings

    steps = []
    with pytest.raises(KeyboardInterrupt):
        SearchIndex(tmp_path).catch_up(engine, on_progress=killed, on_step=lambda name, n: steps.append((name, n)))
    index = SearchIndex(tmp_path)
    assert len(index.search(engine, "topic graphs", limit=10).hits) == 6 and index.semantic_share() == 2 / 6
    assert index.watermark() is None  # the vectors are not complete: the next catch-up embeds
    assert index.catch_up(engine) == 6
    assert index.semantic_share() == 1.0 and index.pending(engine)[0] == []
    assert index.catch_up(engine) == 0
