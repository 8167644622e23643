"""The ingest pipeline in this process, on SQLite and PostgreSQL: counts that add up over batches,
rejected records kept with where and why, the checkpoint moved inside each batch's transaction and
cleared by the last, and (PostgreSQL, which enforces column lengths) a value the database refuses
rejecting that paper alone, with the checkpoint still moved."""

from __future__ import annotations

from sqlalchemy import select

from paperboard.ingest.pipeline import Item, store_items
from paperboard.models import Paper
from paperboard.storage import checkpoints
from paperboard.storage.schema import papers


def _papers(n: int, abstract: str) -> list[Paper]:
    return [Paper(id=f"2401.{i:05d}", title=f"Paper number {i}", abstract=f"{abstract} {i}.",
                  categories=("cs.LG",), source="test") for i in range(n)]


def _items(abstract: str) -> list[Item]:
    items = [Item(f"line {i + 2}", paper=p) for i, p in enumerate(_papers(120, abstract))]
    items.insert(0, Item("line 1", error="no title"))
    items.insert(60, Item("line 61"))  # rejected with no reason given
    return items


def _stored(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(papers.c.id, papers.c.abstract)).all())


def test_counts_add_up_over_batches_and_each_rejection_keeps_where_and_why(engine):
    seen: list[tuple[int, int, int]] = []

    def on_batch(summary):
        seen.append((summary.added, summary.updated, summary.rejected))

    first = store_items(engine, _items("First words"), batch_size=50, on_batch=on_batch)
    assert seen == [(50, 0, 1), (100, 0, 2), (120, 0, 2)]  # the last, short batch too
    assert (first.added, first.updated, first.unchanged, first.rejected, first.skipped) == (120, 0, 0, 2, 0)
    assert first.processed == 122 and 0 < first.seconds < 60
    assert first.problems == [("line 1", "no title"), ("line 61", "rejected")]
    assert first.as_dict()["problems"] == [{"location": "line 1", "reason": "no title"},
                                           {"location": "line 61", "reason": "rejected"}]
    stored = _stored(engine)
    assert len(stored) == 120 and stored["2401.00000"] == "First words 0."  # the very first item too
    changed = store_items(engine, _items("Other words"), batch_size=50)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 120, 0)  # over three batches
    assert _stored(engine)["2401.00119"] == "Other words 119."
    same = store_items(engine, _items("Other words"), batch_size=50)
    assert (same.added, same.updated, same.unchanged) == (0, 0, 120)


def test_each_batch_moves_the_checkpoint_in_its_transaction_and_the_last_clears_it(engine):
    saved: list[dict | None] = []

    def on_batch(summary):
        with engine.connect() as conn:
            saved.append(checkpoints.load(conn, "dump:test"))

    summary = store_items(engine, _items("Words"), batch_size=50, on_batch=on_batch,
                          checkpoint=("dump:test", lambda done: {"done": done, "of": "test"}))
    # items done, rejected ones included: 50 papers and one rejection, then 100 and two
    assert saved == [{"done": 51, "of": "test"}, {"done": 102, "of": "test"}, None]
    assert summary.added == 120
    resumed = store_items(engine, _items("Changed"), batch_size=50, skip=102,
                          checkpoint=("dump:test", lambda done: {"done": done}))
    assert (resumed.skipped, resumed.updated, resumed.rejected) == (102, 20, 0)  # only the 20 after
    stored = _stored(engine)
    assert stored["2401.00099"] == "Words 99." and stored["2401.00100"] == "Changed 100."
    with engine.connect() as conn:
        assert checkpoints.load(conn, "dump:test") is None


def test_a_refused_value_rejects_that_paper_alone_and_the_checkpoint_still_moves(postgres_url):
    from paperboard.storage.engine import open_database

    engine = open_database(postgres_url)
    batch = _papers(3, "Fine")
    too_long = Paper(id="2401.09999", title="Too long", categories=("c" * 300,), source="test")
    items = [Item("line 1", paper=batch[0]), Item("line 2", paper=too_long), Item("line 3", paper=batch[1]),
             Item("line 4", paper=batch[2]), Item("line 5", paper=too_long)]
    saved = []

    def on_batch(summary):
        with engine.connect() as conn:
            saved.append(checkpoints.load(conn, "dump:pg"))

    summary = store_items(engine, items, batch_size=2, on_batch=on_batch,
                          checkpoint=("dump:pg", lambda done: {"done": done}))
    assert (summary.added, summary.rejected) == (3, 2)
    assert [where for where, _ in summary.problems] == ["paper 2401.09999", "paper 2401.09999"]
    # the database's own words, not the wrapper's
    assert summary.problems[0][1].startswith("the database refused it: value too long for type character varying")
    # the batches with the refused paper moved the checkpoint too, and the last (refused) one cleared it
    assert saved == [{"done": 2}, {"done": 4}, None]
    with engine.connect() as conn:
        assert checkpoints.load(conn, "dump:pg") is None
    assert sorted(_stored(engine)) == ["2401.00000", "2401.00001", "2401.00002"]
    engine.dispose()


def test_a_parsed_record_or_its_error_keeps_where_it_was():
    from paperboard.ingest.errors import RecordError
    from paperboard.ingest.pipeline import as_item

    paper = _papers(1, "Fine")[0]
    assert as_item("line 7", lambda: paper) == Item("line 7", paper=paper)

    def broken():
        raise RecordError("no title")

    assert as_item("line 8", broken) == Item("line 8", error="no title")


def test_a_summary_adds_up_reports_its_rate_and_keeps_a_bounded_list_of_problems():
    from paperboard.ingest.pipeline import MAX_PROBLEMS_KEPT, Summary

    one = Summary(added=3, updated=1, unchanged=1, seconds=1.23456)
    one.reject("line 9", "no title")
    assert one.as_dict() == {"added": 3, "updated": 1, "unchanged": 1, "rejected": 1, "resumed_after": 0,
                             "loaded_before": 0, "seconds": 1.235, "papers_per_second": 5,  # 6 records in 1.23456 s
                             "problems": [{"location": "line 9", "reason": "no title"}]}
    assert Summary().as_dict()["papers_per_second"] is None  # no time taken: no rate to report
    many = Summary(skipped=7, seconds=0.5)
    for i in range(MAX_PROBLEMS_KEPT + 5):
        many.reject(f"line {i}", "bad")
    assert many.rejected == MAX_PROBLEMS_KEPT + 5 and len(many.problems) == MAX_PROBLEMS_KEPT
    one.merge(many)
    assert (one.added, one.rejected, one.skipped, one.seconds) == (3, MAX_PROBLEMS_KEPT + 6, 7, 1.73456)
    assert len(one.problems) == MAX_PROBLEMS_KEPT and one.problems[:2] == [("line 9", "no title"), ("line 0", "bad")]
