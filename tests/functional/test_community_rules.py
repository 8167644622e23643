"""The rules of the site's write path, at the library level, on SQLite and PostgreSQL: comments,
collections, submissions, upvotes and sessions, each with what it refuses and what it stores."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from paperboard.community import collections, comments, sessions, submissions, votes
from paperboard.community.accounts import create_user
from paperboard.community.errors import CommunityError, NotFound
from paperboard.models import Paper
from paperboard.storage.papers import upsert
from paperboard.storage.schema import comments as comment_rows
from paperboard.storage.schema import sessions as sessions_table
from paperboard.storage.schema import submissions as submission_rows

IDS = ("2501.00001", "2501.00002", "2501.00003")


@pytest.fixture
def people(engine):
    with engine.begin() as conn:
        upsert(conn, [Paper(id=i, title=f"Paper {i}", abstract="About graphs.") for i in IDS])
        return create_user(conn, "ada", "correct horse battery"), create_user(conn, "bob", "correct horse battery")


def test_a_comment_is_stored_as_written_within_its_limits(engine, people):
    ada, _ = people
    with engine.begin() as conn:
        said = comments.add_comment(conn, IDS[0], ada, "  line one\r\nline two\x07  ")
        assert said.body == "line one\nline two" and said.author == "ada"  # CRLF as LF, XML-unsafe dropped
        stored = conn.execute(select(comment_rows.c.body).where(comment_rows.c.id == said.id)).scalar_one()
        assert stored == "line one\nline two"
        longest = comments.add_comment(conn, IDS[0], ada, "x" * comments.MAX_COMMENT)
        assert len(longest.body) == comments.MAX_COMMENT
        for body, words in [("", "cannot be empty"), (" \r\n\t", "cannot be empty"), (None, "cannot be empty"),
                            ("x" * (comments.MAX_COMMENT + 1), "is at most 10,000 characters (this one has 10,001)")]:
            with pytest.raises(CommunityError) as refused:
                comments.add_comment(conn, IDS[0], ada, body)
            assert str(refused.value) == f"a comment {words}"
        with pytest.raises(NotFound, match=r"paper 2501\.09999 is not in the store"):
            comments.add_comment(conn, "2501.09999", ada, "hello")
        assert [c.body for c in comments.list_comments(conn, IDS[0])] == ["line one\nline two", "x" * 10_000]


def test_a_collection_is_named_described_and_private_when_asked(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        cid = collections.create_collection(conn, ada, "  Reading\x07 group ", "  weekly  ", public=False)
        found = collections.get_collection(conn, cid, ada)
        assert (found.name, found.description, found.owner, found.public, found.paper_ids) == \
            ("Reading group", "weekly", "ada", False, ())
        for viewer in (None, bob):  # a private collection is not there for anyone else
            with pytest.raises(NotFound, match=f"there is no collection {cid}"):
                collections.get_collection(conn, cid, viewer)
        with pytest.raises(NotFound):
            collections.get_collection(conn, cid + 1000, ada)
        plain = collections.create_collection(conn, ada, "Plain")
        assert collections.get_collection(conn, plain, None).description is None  # public, no description
        longest = collections.create_collection(conn, ada, "n" * collections.MAX_NAME,
                                                "d" * collections.MAX_DESCRIPTION)
        assert len(collections.get_collection(conn, longest).name) == collections.MAX_NAME
        for name, description, says in [
            ("", "", "a collection needs a name"), (" \x07 ", "", "a collection needs a name"),
            ("n" * (collections.MAX_NAME + 1), "", f"a collection name is at most {collections.MAX_NAME} characters"),
            ("ok", "d" * (collections.MAX_DESCRIPTION + 1),
             f"a collection description is at most {collections.MAX_DESCRIPTION:,} characters")]:
            with pytest.raises(CommunityError) as refused:
                collections.create_collection(conn, ada, name, description)
            assert str(refused.value) == says
        assert collections.collections_of(conn, ada.id, public_only=True) == [(plain, "Plain", 0),
                                                                              (longest, "n" * 200, 0)]
        assert [c[0] for c in collections.collections_of(conn, ada.id, public_only=False)] == [cid, plain, longest]
        assert collections.collections_of(conn, bob.id, public_only=False) == []


def test_collections_belong_to_their_owner(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        cid = collections.create_collection(conn, ada, "Reading group")
        assert collections.add_paper(conn, cid, ada, IDS[0]) and collections.add_paper(conn, cid, ada, IDS[1])
        assert not collections.add_paper(conn, cid, ada, IDS[0])  # already there
        with pytest.raises(CommunityError):
            collections.remove_paper(conn, cid, bob, IDS[0])  # not bob's
        with pytest.raises(CommunityError, match="only its owner can change a collection"):
            collections.add_paper(conn, cid, bob, IDS[2])
        with pytest.raises(NotFound):
            collections.add_paper(conn, cid, ada, "2501.09999")
        assert collections.remove_paper(conn, cid, ada, IDS[0]) is True
        assert collections.remove_paper(conn, cid, ada, IDS[0]) is False  # gone already
        assert collections.get_collection(conn, cid, ada).paper_ids == (IDS[1],)
        assert collections.collections_of(conn, ada.id, public_only=False) == [(cid, "Reading group", 1)]


def test_what_is_taken_back_is_ones_own_and_from_that_collection_only(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        assert votes.upvote(conn, IDS[0], ada.id) and votes.upvote(conn, IDS[0], bob.id)
        assert votes.remove_upvote(conn, IDS[0], ada.id)
        assert votes.counts(conn, [IDS[0]]) == {IDS[0]: (1, 0)} and votes.liked_papers(conn, bob.id) == [IDS[0]]
        private = collections.create_collection(conn, ada, "Private", public=False)
        shared = collections.create_collection(conn, ada, "Shared")
        bobs = collections.create_collection(conn, bob, "Bob's")
        for cid, owner in ((private, ada), (shared, ada), (bobs, bob)):  # the owner changes a private one too
            assert collections.add_paper(conn, cid, owner, IDS[1])
        assert collections.remove_paper(conn, private, ada, IDS[1])
        assert collections.get_collection(conn, private, ada).paper_ids == ()
        assert collections.get_collection(conn, shared).paper_ids == (IDS[1],)  # still in the others
        assert collections.get_collection(conn, bobs).paper_ids == (IDS[1],)
        found = collections.get_collection(conn, shared)
        assert (found.id, found.owner_id) == (shared, ada.id)


@pytest.fixture
def far_east(monkeypatch):
    """The process's local time zone nine hours east of UTC, restored afterwards."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_day_of_a_submission_is_utcs_whatever_the_local_zone(engine, people, far_east):
    ada, _ = people
    when = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 20:00 UTC, 05:00 in Tokyo
    with engine.begin() as conn:
        made = submissions.submit(conn, IDS[1], ada, when=when)
        assert made.day == dt.date(2026, 12, 1) == submissions.find_submission(conn, IDS[1]).day


def test_a_paper_is_submitted_once_on_the_day_of_its_submission(engine, people):
    ada, bob = people
    when = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 1 Dec in UTC
    with engine.begin() as conn:
        assert submissions.find_submission(conn, IDS[0]) is None
        made = submissions.submit(conn, IDS[0], ada, when=when)
        assert (made.paper_id, made.day, made.submitter, made.created_at) == (IDS[0], dt.date(2026, 12, 1),
                                                                             "ada", when)
        found = submissions.find_submission(conn, IDS[0])
        assert (found.paper_id, found.day, found.submitter) == (IDS[0], dt.date(2026, 12, 1), "ada")
        assert found.created_at == when
        assert submissions.submitted_by(conn, IDS[0], ada.id)
        assert not submissions.submitted_by(conn, IDS[0], bob.id) and not submissions.submitted_by(conn, IDS[1], ada.id)
        with pytest.raises(CommunityError, match="already on the daily feed of 2026-12-01"):
            submissions.submit(conn, IDS[0], bob)
        with pytest.raises(NotFound):
            submissions.submit(conn, "2501.09999", bob)


def test_upvotes_count_once_and_liked_papers_are_newest_first(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        for paper_id in IDS:
            assert votes.upvote(conn, paper_id, ada.id)
        assert not votes.upvote(conn, IDS[0], ada.id)  # once
        assert votes.liked_papers(conn, ada.id) == list(reversed(IDS))
        assert votes.liked_papers(conn, ada.id, limit=2) == [IDS[2], IDS[1]]
        assert votes.liked_papers(conn, bob.id) == []
        assert votes.remove_upvote(conn, IDS[1], ada.id) and not votes.remove_upvote(conn, IDS[1], ada.id)
        assert votes.liked_papers(conn, ada.id) == [IDS[2], IDS[0]]
        with pytest.raises(NotFound):
            votes.upvote(conn, "2501.09999", ada.id)
        assert votes.upvote(conn, IDS[0], bob.id)
        comments.add_comment(conn, IDS[0], bob, "nice")
        assert votes.counts(conn, [IDS[0], IDS[1], "2501.09999"]) == {IDS[0]: (2, 1), IDS[1]: (0, 0),
                                                                      "2501.09999": (0, 0)}
        assert votes.counts(conn, []) == {}
        assert votes.upvoted_by(conn, ada.id, list(IDS)) == {IDS[0], IDS[2]}
        assert votes.upvoted_by(conn, None, list(IDS)) == set()


def test_one_session_is_ended_by_its_handle_and_only_its_owners(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        first, second = sessions.start(conn, ada.id), sessions.start(conn, ada.id)
        handle = next(s.ref for s in sessions.of_user(conn, ada.id) if sessions.is_current(s, first))
        assert not sessions.end_by_ref(conn, bob.id, handle)  # not bob's session
        assert not sessions.end_by_ref(conn, ada.id, "")  # not a handle at all
        assert sessions.end_by_ref(conn, ada.id, handle)
        assert sessions.resume(conn, first) is None and sessions.resume(conn, second) is not None
        assert not sessions.end_by_ref(conn, ada.id, handle)  # ended already


def test_an_expired_session_is_removed_and_no_other(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        old, live, bobs = sessions.start(conn, ada.id), sessions.start(conn, ada.id), sessions.start(conn, bob.id)
        conn.execute(sessions_table.update().where(sessions_table.c.user_id == ada.id)
                     .values(last_seen_at=dt.datetime.now(dt.UTC) - sessions.IDLE - dt.timedelta(hours=1)))
        assert sessions.resume(conn, old) is None  # idle too long: over, and its row removed
        assert sessions.resume(conn, bobs) is not None  # nobody else's session went with it
        assert len(conn.execute(sessions_table.select()).all()) == 2  # ada's other idle one is still there
        assert sessions.resume(conn, live) is None


def test_a_users_sessions_are_listed_last_used_first(engine, people):
    ada, _ = people
    with engine.begin() as conn:
        raws = [sessions.start(conn, ada.id, agent) for agent in ("Firefox/1 Linux", "Chrome/2 Windows",
                                                                  "curl/8")]
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)  # past TOUCH_EVERY: the use is recorded
        sessions.resume(conn, raws[0], now=later)
        listed = sessions.of_user(conn, ada.id, now=later)
        assert listed[0].device == "Firefox on Linux"  # the one used last, then the others
        assert sorted(s.device for s in listed[1:]) == ["Chrome on Windows", "curl"]
        sessions.resume(conn, raws[2], now=later + dt.timedelta(minutes=10))
        assert [s.device for s in sessions.of_user(conn, ada.id, now=later + dt.timedelta(minutes=10))] == \
            ["curl", "Firefox on Linux", "Chrome on Windows"]


def test_comments_are_listed_with_their_ids_authors_and_threads_in_order(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        first = comments.add_comment(conn, IDS[1], ada, "first")
        second = comments.add_comment(conn, IDS[1], bob, "second")
        reply = comments.add_comment(conn, IDS[1], bob, "a reply", reply_to=first.id)
        listed = comments.list_comments(conn, IDS[1])
    assert [(c.id, c.author, c.body, c.parent_id) for c in listed] == [
        (first.id, "ada", "first", None), (second.id, "bob", "second", None), (reply.id, "bob", "a reply", first.id)]
    assert comments.threads(listed) == [(listed[0], [listed[2]]), (listed[1], [])]
    assert all(c.created_at.tzinfo is not None for c in listed)
    assert [(c.paper_id, c.parent_id) for c in listed] == [(IDS[1], None), (IDS[1], None), (IDS[1], first.id)]
    assert (reply.paper_id, reply.parent_id, reply.created_at) == (IDS[1], first.id, listed[2].created_at)
    with engine.begin() as conn:  # a reply to a reply joins the thread of the comment it answers
        deeper = comments.add_comment(conn, IDS[1], ada, "deeper", reply_to=reply.id)
    assert deeper.parent_id == first.id


def test_a_reply_must_answer_a_comment_on_the_same_paper(engine, people):
    ada, bob = people
    with engine.begin() as conn:
        elsewhere = comments.add_comment(conn, IDS[0], ada, "on another paper")
    with engine.begin() as conn, pytest.raises(NotFound, match=f"paper {IDS[1]} has no comment {elsewhere.id}"):
        comments.add_comment(conn, IDS[1], bob, "a reply across papers", reply_to=elsewhere.id)
    with engine.begin() as conn:
        assert comments.list_comments(conn, IDS[1]) == []  # nothing was stored


def test_an_imported_submitter_in_any_shape_is_named_only_when_it_is_a_username(engine):
    """Dumps come from anywhere: the submitter may be a string, a list, a name with markup, a 'user' key
    instead of 'name', a full name without a name or one of a thousand characters. Only a name the site's
    username rule admits is kept, with its full name cut to 128 characters; a paper without a feed day,
    or one already imported, does not stop the papers after it."""
    day = "2025-03-18T09:00:00.000Z"
    shapes = [
        {"name": "akhaliq", "fullname": "A" * 1000},
        {"user": "osanseviero", "fullname": "Omar\u0000 S."},  # the Hub's older key; a NUL in the full name
        {"name": "<script>", "fullname": "Mallory"},
        {"fullname": "No Name"},
        "akhaliq",
        ["akhaliq"],
    ]
    ids = [f"2501.{10 + i:05d}" for i in range(len(shapes))]
    with engine.begin() as conn:
        upsert(conn, [Paper(id=i, title=f"Paper {i}", abstract="About graphs.") for i in [*ids, "2501.09999"]])
        first = submissions.import_huggingface(conn, [(ids[0], {"submittedOnDailyAt": day,
                                                               "submittedBy": shapes[0]})])
        added = submissions.import_huggingface(conn, [
            (ids[0], {"submittedOnDailyAt": day, "upvotes": 3}),  # already there: refreshed, then on
            ("2501.09999", {"upvotes": 1}),  # no feed day: skipped, then on
            *[(pid, {"submittedOnDailyAt": day, "submittedBy": by}) for pid, by in zip(ids[1:], shapes[1:], strict=True)],
        ])
        rows = {r.paper_id: r for r in conn.execute(select(submission_rows))}
    assert (first, added) == (1, len(shapes) - 1)
    named = {pid: (rows[pid].submitter_name, rows[pid].submitter_display) for pid in ids}
    assert named == {ids[0]: ("akhaliq", "A" * 128), ids[1]: ("osanseviero", "Omar S."), ids[2]: (None, None),
                     ids[3]: (None, None), ids[4]: (None, None), ids[5]: (None, None)}
    assert all(rows[pid].submitter_id is None for pid in ids)  # never a local account
    assert rows[ids[0]].imported_upvotes == 3


def test_an_imported_feed_names_its_submitter_wherever_the_hub_puts_it(engine, people):
    day = "2025-03-18T09:00:00.000Z"
    by = {"name": "akhaliq", "fullname": "AK"}
    with engine.begin() as conn:
        added = submissions.import_huggingface(conn, [
            (IDS[0], {"submittedOnDailyAt": day, "submittedBy": by, "upvotes": 5}),
            (IDS[1], {"submittedOnDailyAt": day, "submittedOnDailyBy": by, "numComments": 2}),  # only the paper's
            (IDS[2], {"upvotes": 9}),  # never on the feed: nothing recorded
        ])
        again = submissions.import_huggingface(conn, [(IDS[0], {"submittedOnDailyAt": day, "upvotes": 7})])
        rows = {r.paper_id: r for r in conn.execute(select(submission_rows))}
    assert (added, again) == (2, 0)
    assert {pid: (r.submitter_name, r.submitter_display) for pid, r in rows.items()} == {
        IDS[0]: ("akhaliq", "AK"), IDS[1]: ("akhaliq", "AK")}
    assert (rows[IDS[0]].imported_upvotes, rows[IDS[1]].imported_comments) == (7, 2)  # a re-import refreshes
    ada, bob = people
    with engine.begin() as conn:
        votes.upvote(conn, IDS[0], ada.id)
        comments.add_comment(conn, IDS[1], bob, "mine")
        votes.upvote(conn, IDS[2], bob.id)
        tallies = votes.counts(conn, list(IDS))
    assert tallies == {IDS[0]: (8, 0), IDS[1]: (0, 3), IDS[2]: (1, 0)}  # the site's own plus the imported
