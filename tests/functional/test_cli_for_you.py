"""`paperboard for-you` and `paperboard feedback`, as an operator runs them (SQLite and PostgreSQL)."""

import json

import pytest

from paperboard import Paperboard
from paperboard.community.accounts import create_user
from paperboard.config import load_config
from tests.functional.cli import database_for, paperboard
from tests.web.data import corpus_records

pytestmark = pytest.mark.usefixtures("store_kind")


def test_for_you_from_the_command_line(tmp_path):
    records = corpus_records(600)
    splats = [r for r in records if "gaussian splatting" in r["title"].lower()]
    dump = tmp_path / "papers.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert paperboard("ingest", str(dump), data_dir=tmp_path).returncode == 0
    board = Paperboard(load_config(data_dir=str(tmp_path), database_url=database_for(tmp_path)),
                       fetch_from_arxiv=False)
    try:
        with board.engine.begin() as conn:
            reader = create_user(conn, "reader", "a long enough password")
            create_user(conn, "newcomer", "a long enough password")
        for r in splats[:3]:
            board.vote(r["id"], reader)
    finally:
        board.close()

    cold = paperboard("for-you", "newcomer", data_dir=tmp_path)
    assert cold.returncode == 0 and "newcomer has upvoted, saved and marked nothing yet" in cold.stderr
    done = paperboard("for-you", "reader", "--format", "json", "--limit", "10", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == 10 and all("you upvoted" in i["reason"] for i in items)
    assert not {i["paper"]["id"] for i in items} & {r["id"] for r in splats[:3]}
    top = items[0]["paper"]["id"]
    table = paperboard("for-you", "reader", data_dir=tmp_path).stdout
    assert top in table and "you upvoted" in table

    gone = paperboard("feedback", "reader", f"https://arxiv.org/abs/{top}", "not_interested", data_dir=tmp_path)
    assert gone.returncode == 0, gone.stderr
    after = json.loads(paperboard("for-you", "reader", "--format", "json", data_dir=tmp_path).stdout)
    assert top not in {i["paper"]["id"] for i in after}
    assert paperboard("feedback", "reader", top, "undo", data_dir=tmp_path).returncode == 0
    back = json.loads(paperboard("for-you", "reader", "--format", "json", "--limit", "10", data_dir=tmp_path).stdout)
    assert back[0]["paper"]["id"] == top

    author = records[0]["authors"][0]
    assert paperboard("follow", "newcomer", author, data_dir=tmp_path).stdout == f"newcomer follows {author}\n"
    followed = json.loads(paperboard("for-you", "newcomer", "--format", "json", data_dir=tmp_path).stdout)
    assert records[0]["id"] in {i["paper"]["id"] for i in followed}
    one = paperboard("follow", "newcomer", author, "--paper", records[0]["id"], data_dir=tmp_path)
    assert one.stdout == f"newcomer follows {author} (the one who wrote {records[0]['id']})\n", one.stderr
    assert paperboard("follow", "newcomer", author, "--undo", data_dir=tmp_path).returncode == 0

    made = paperboard("topics", "add", "newcomer", '"gaussian splatting"', "--name", "Splats",
                      "--example", f"arXiv:{records[0]['id']}", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    listed = json.loads(paperboard("topics", "list", "newcomer", "--format", "json", data_dir=tmp_path).stdout)
    assert [(t["id"], t["name"], t["public"], t["examples"]) for t in listed] == [
        (int(made.stdout), "Splats", True, [records[0]["id"]])]
    topical = json.loads(paperboard("for-you", "newcomer", "--format", "json", data_dir=tmp_path).stdout)
    assert topical and all(i["reason"] == "in your topic Splats" for i in topical)
    assert paperboard("topics", "delete", "newcomer", made.stdout.strip(), data_dir=tmp_path).returncode == 0

    for args, said in [(("follow", "reader", "Nobody Atall"), "no stored paper has an author named"),
                       (("topics", "add", "reader", "has:everything"), "has:everything is not a filter"),
                       (("topics", "delete", "reader", "12345"), "you have no topic 12345"),
                       (("topics", "add", "reader", "", "--example", "2101.99999"), "not in the store"),
                       (("follow", "reader", author, "--paper", "2101.99999"), "wrote no stored paper"),(("feedback", "reader", top, "love"), "'love' is not one of"),
                       (("feedback", "nobody", top, "undo"), "there is no user 'nobody'"),
                       (("feedback", "reader", "2101.99999", "not_interested"), "not in the store"),
                       (("for-you", "reader", "--since", "2025-02-30"), "2025-02-30"),
                       (("for-you", "ghost"), "there is no user 'ghost'")]:
        refused = paperboard(*args, data_dir=tmp_path)
        assert refused.returncode == 2 and said in refused.stderr, (args, refused.stderr)
