"""Claiming authorship and setting a paper's links, through the library face (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from paperboard import Paperboard, hf_json
from paperboard.community.accounts import create_user, set_admin
from paperboard.config import load_config
from paperboard.digest import subscribers
from paperboard.digest.preferences import Preferences
from paperboard.errors import Forbidden, NotFound, PaperboardError
from paperboard.feeds.daily import DailyQuery
from paperboard.ingest.runner import FilesJob
from paperboard.storage.schema import papers
from tests.web.data import corpus_records


def _address(name: str, domain: str = "lab.example") -> str:
    """An address whose local part is the author's surname, as authors' addresses usually are."""
    return "".join(c for c in name.split()[-1].lower() if c.isascii() and c.isalpha()) + "@" + domain


@pytest.fixture
def board(db_url, tmp_path):
    records = corpus_records(6)
    records[0]["comment"] = f"Code soon. Contact: {_address(records[0]['authors'][0])}, lab@lists.example"
    dump = tmp_path / "papers.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    opened = Paperboard(load_config(database_url=db_url, data_dir=str(tmp_path / "data")),
                        fetch_from_arxiv=False)
    opened.ingest(FilesJob(paths=(str(dump),)))
    with opened.engine.begin() as conn:
        opened.people = {n: create_user(conn, n, "a long enough password") for n in ("ada", "bob", "root")}
        opened.people["root"] = set_admin(conn, opened.people["root"], True)
    opened.records = records
    yield opened
    opened.close()


def test_a_claim_waits_for_an_administrator_and_then_shows(board):
    ada, bob, root = (board.people[n] for n in ("ada", "bob", "root"))
    paper = board.records[1]
    name = paper["authors"][0]
    first = board.claim_authorship(paper["id"], f"  {name.upper()} ", ada)  # spelled loosely
    assert (first.status, first.author_name) == ("pending", name)
    assert board.claim_authorship(paper["id"], name, ada).id == first.id  # asking twice changes nothing
    assert board.entry(paper["id"]).verified == {}
    assert [c.id for c in board.pending_claims()] == [first.id]
    with pytest.raises(Forbidden):
        board.decide_claim(first.id, bob, confirm=True)
    assert board.decide_claim(first.id, root, confirm=True).status == "confirmed"
    assert board.entry(paper["id"]).verified == {name: "ada"}
    assert [e.paper.id for e in board.authored(ada)] == [paper["id"]]
    with pytest.raises(PaperboardError, match="already verified as ada"):
        board.claim_authorship(paper["id"], name, bob)
    with pytest.raises(PaperboardError, match="is not an author"):
        board.claim_authorship(paper["id"], "Somebody Else", bob)
    with pytest.raises(NotFound):
        board.claim_authorship("2501.99999", name, bob)
    with pytest.raises(NotFound):
        board.decide_claim(999_999, root, confirm=False)


def test_a_refused_claim_can_be_made_again(board):
    bob, root = board.people["bob"], board.people["root"]
    paper = board.records[2]
    claim = board.claim_authorship(paper["id"], paper["authors"][-1], bob)
    assert board.decide_claim(claim.id, root, confirm=False).status == "refused"
    assert board.pending_claims() == []
    again = board.claim_authorship(paper["id"], paper["authors"][-1], bob)
    assert (again.id, again.status) == (claim.id, "pending")


def test_a_verified_address_written_in_the_paper_confirms_at_once(board):
    ada = board.people["ada"]
    paper = board.records[0]  # its comment gives the first author's address
    mine = _address(paper["authors"][0])
    with board.engine.begin() as conn:
        unconfirmed, _ = subscribers.add(conn, mine, Preferences(), user_id=ada.id)
    assert board.claim_authorship(paper["id"], paper["authors"][0], ada).status == "pending"  # not confirmed yet
    with board.engine.begin() as conn:
        subscribers.confirm(conn, unconfirmed.id)
    assert board.claim_authorship(paper["id"], paper["authors"][0], ada).status == "confirmed"
    with board.engine.begin() as conn:
        subscribers.add(conn, mine[1:], Preferences(), confirmed=True, user_id=board.people["bob"].id)
    other = paper["authors"][1]  # bob's address is a part of ada's, which is not his
    assert board.claim_authorship(paper["id"], other, board.people["bob"]).status == "pending"


def test_one_address_confirms_one_author_and_never_shuts_out_the_others(board):
    """A confirmed address printed in a paper confirmed claims to all its authors at once (6 of 6), after
    which the real authors were refused as "already verified"; a@b.co also matched a@b.co.uk."""
    ada, bob, root = (board.people[n] for n in ("ada", "bob", "root"))
    paper = board.records[0]
    first, second = paper["authors"][:2]
    with board.engine.begin() as conn:
        subscribers.add(conn, "lab@lists.example", Preferences(), confirmed=True, user_id=ada.id)  # a list
        subscribers.add(conn, _address(first), Preferences(), confirmed=True, user_id=ada.id)
    assert board.claim_authorship(paper["id"], first, ada).status == "confirmed"
    assert board.claim_authorship(paper["id"], second, ada).status == "pending"  # not every author at once
    real = board.claim_authorship(paper["id"], first, bob)  # the real author, if ada was not
    assert real.status == "pending"  # not refused as "already verified": an administrator decides
    board.decide_claim(real.id, root, confirm=True)
    assert board.entry(paper["id"]).verified[first] == "bob"
    with pytest.raises(PaperboardError, match="already verified as bob"):
        board.claim_authorship(paper["id"], first, ada)  # an administrator's decision stands
    on_another = board.records[2]
    with board.engine.begin() as conn:  # written as a@b.co.uk, held as a@b.co
        conn.execute(update(papers).where(papers.c.id == on_another["id"]).values(
            comment=f"Mail {_address(on_another['authors'][0], 'lab.co.uk')}"))
        subscribers.add(conn, _address(on_another["authors"][0], "lab.co"), Preferences(), confirmed=True,
                        user_id=board.people["root"].id)
    assert board.claim_authorship(on_another["id"], on_another["authors"][0], root).status == "pending"


def test_links_by_an_author_or_the_submitter_only(board):
    ada, bob, root = (board.people[n] for n in ("ada", "bob", "root"))
    paper = board.records[3]
    with pytest.raises(Forbidden):
        board.set_links(paper["id"], bob, {"code": "https://github.com/bob/x"})
    board.submit(bob, paper["id"])
    links = board.set_links(paper["id"], bob, {"code": "https://github.com/bob/x/tree/main",
                                               "project": "https://x.example/"})
    assert links == {"code": "https://github.com/bob/x", "project": "https://x.example/"}
    assert board.set_links(paper["id"], bob, {"project": ""}) == {"code": "https://github.com/bob/x"}
    for bad, message in [({"code": "javascript:alert(1)"}, "http"),
                         ({"code": "https://example.org/x"}, "repository"),
                         ({"homepage": "https://x.example"}, "links are")]:
        with pytest.raises(PaperboardError, match=message):
            board.set_links(paper["id"], bob, bad)
    claim = board.claim_authorship(board.records[4]["id"], board.records[4]["authors"][0], ada)
    board.decide_claim(claim.id, root, confirm=True)
    assert board.set_links(board.records[4]["id"], ada, {"project": "https://ada.example/p"}) == {
        "project": "https://ada.example/p"}
    shown = hf_json.paper(board.entry(board.records[4]["id"]))
    assert shown["projectPage"] == "https://ada.example/p"  # an author's link is the paper's
    with pytest.raises(NotFound):
        board.set_links("2501.99999", ada, {"project": "https://ada.example/p"})


def test_a_submitters_links_are_a_suggestion_never_the_papers(board):
    """A stranger who submitted a paper replaced its repository with an attacker's and added a phishing
    project page, shown on the page, the API and the markdown."""
    ada, bob, root = (board.people[n] for n in ("ada", "bob", "root"))
    paper = board.records[5]
    before = board.entry(paper["id"]).paper.links
    board.submit(bob, paper["id"])
    board.set_links(paper["id"], bob, {"code": "https://github.com/attacker/x", "project": "https://phish.example/"})
    entry = board.entry(paper["id"])
    assert entry.paper.links == before  # nothing replaced, nothing added
    assert entry.suggested == {"code": ("https://github.com/attacker/x", "bob"),
                               "project": ("https://phish.example/", "bob")}
    assert "attacker" not in str(hf_json.paper(entry)) and "phish" not in str(hf_json.paper(entry))
    assert "attacker" not in str(hf_json.daily_item(board.daily(DailyQuery()).entries[0]))
    claim = board.claim_authorship(paper["id"], paper["authors"][0], ada)
    board.decide_claim(claim.id, root, confirm=True)
    board.set_links(paper["id"], ada, {"code": "https://github.com/ada/real"})  # an author's is the paper's
    entry = board.entry(paper["id"])
    assert entry.paper.links["code"] == "https://github.com/ada/real" and "code" not in entry.suggested
    with pytest.raises(Forbidden, match="only an author changes it"):
        board.set_links(paper["id"], bob, {"code": "https://github.com/attacker/again"})
    assert board.entry(paper["id"]).paper.links["code"] == "https://github.com/ada/real"
