"""`paperboard collections import` and `export`, as an operator runs them (SQLite and PostgreSQL)."""

import json

import pytest
import rispy

from paperboard import Paperboard
from paperboard.community.accounts import create_user
from paperboard.config import load_config
from tests.conftest import fixture_bytes
from tests.functional.cli import database_for, paperboard
from tests.functional.fake_arxiv import FakeArxiv, xml

pytestmark = pytest.mark.usefixtures("store_kind")


def _collection(data_dir) -> int:
    board = Paperboard(load_config(data_dir=str(data_dir), database_url=database_for(data_dir)),
                       fetch_from_arxiv=False)
    try:
        with board.engine.begin() as conn:
            owner = create_user(conn, "olga", "a long enough password")
        return board.create_collection(owner, "Reading list", public=False)
    finally:
        board.close()


def test_import_fetches_what_is_missing_and_export_reads_back(tmp_path):
    stored = tmp_path / "stored.jsonl"
    stored.write_text(json.dumps({"id": "2501.00001", "title": "A stored paper", "summary": "Text.",
                                  "authors": ["Ada Lovelace"]}) + "\n")
    assert paperboard("ingest", str(stored), "--no-index", data_dir=tmp_path).returncode == 0
    cid = _collection(tmp_path)
    refs = tmp_path / "refs.bib"
    refs.write_text("@misc{a, eprint={2501.00001}, archivePrefix={arXiv}}\n"
                    "@misc{b, url={https://arxiv.org/abs/1707.08567v1}}\n"
                    "@book{c, title={A book}, publisher={Someone}}\n")

    def handler(path, params):
        return xml(fixture_bytes("arxiv-api/id-list-0808.05394-1707.08567.xml"))

    with FakeArxiv(handler) as server:
        env = {"PAPERBOARD_ARXIV_API_URL": server.url + "/api/query", "PAPERBOARD_ARXIV_RETRIES": "0"}
        done = paperboard("collections", "import", str(refs), "--into", str(cid), "--as", "olga",
                          "--output-format", "json", data_dir=tmp_path, env=env)
    assert done.returncode == 1, done.stderr  # one entry named no paper
    report = json.loads(done.stdout)
    assert report["added"] == ["2501.00001", "1707.08567"] and report["problems"] == ["c: names no arXiv paper"]
    assert [r[1]["id_list"] for r in server.requests] == ["1707.08567"]  # only the missing paper was fetched
    again = paperboard("collections", "import", "-", "--into", str(cid), "--as", "olga", "--format", "ids",
                       data_dir=tmp_path, input=b"2501.00001\n")
    assert again.returncode == 0 and "added 0, already there 1" in again.stdout.decode()
    ris = paperboard("collections", "export", str(cid), "--format", "ris", data_dir=tmp_path)
    assert ris.returncode == 0
    titles = [r["title"] for r in rispy.loads(ris.stdout)]
    assert titles[0] == "A stored paper" and len(titles) == 2


def test_import_refusals(tmp_path):
    cid = _collection(tmp_path)
    refs = tmp_path / "refs.txt"
    refs.write_text("2501.00001\n")
    offline = {"PAPERBOARD_ARXIV_API_URL": "http://127.0.0.1:9/unreachable", "PAPERBOARD_ARXIV_RETRIES": "0"}
    nobody = paperboard("collections", "import", str(refs), "--into", str(cid), "--as", "ghost", data_dir=tmp_path)
    assert nobody.returncode == 2 and "no user 'ghost'" in nobody.stderr
    wrong = paperboard("collections", "import", str(refs), "--into", "999", "--as", "olga", data_dir=tmp_path)
    assert wrong.returncode == 2 and "no collection 999" in wrong.stderr
    down = paperboard("collections", "import", str(refs), "--into", str(cid), "--as", "olga", data_dir=tmp_path,
                      env=offline)
    assert down.returncode == 1 and "not found: 2501.00001" in down.stderr and "Traceback" not in down.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    broken = paperboard("collections", "import", str(bad), "--into", str(cid), "--as", "olga", data_dir=tmp_path)
    assert broken.returncode == 1 and "not JSON" in broken.stderr
    assert paperboard("collections", "export", "999", data_dir=tmp_path).returncode == 2
    huge = paperboard("collections", "export", "99999999999", data_dir=tmp_path)
    assert huge.returncode == 2 and "Traceback" not in huge.stderr


def test_create_list_rename_and_delete_from_the_command_line(tmp_path):
    stored = tmp_path / "stored.jsonl"
    stored.write_text(json.dumps({"id": "2501.00001", "title": "A stored paper", "summary": "Text.",
                                  "authors": ["Ada Lovelace"]}) + "\n")
    assert paperboard("ingest", str(stored), "--no-index", data_dir=tmp_path).returncode == 0
    _collection(tmp_path)  # olga's private "Reading list"
    made = paperboard("collections", "create", "Group reading", "--as", "olga", "--description", "Fridays",
                      data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    cid = int(made.stdout)
    listed = json.loads(paperboard("collections", "list", "olga", "--format", "json", data_dir=tmp_path).stdout)
    assert [c["name"] for c in listed] == ["Reading list", "Group reading"]  # private ones too, for the owner
    renamed = paperboard("collections", "rename", str(cid), "Journal club", "--as", "olga", "--private",
                         data_dir=tmp_path)
    assert renamed.returncode == 0, renamed.stderr
    board = Paperboard(load_config(data_dir=str(tmp_path), database_url=database_for(tmp_path)),
                       fetch_from_arxiv=False)
    try:
        found, _ = board.collection(cid, board.user("olga"), page=0, limit=0)
        assert (found.name, found.description, found.public) == ("Journal club", "Fridays", False)
    finally:
        board.close()
    for args, said in [(("collections", "create", "", "--as", "olga"), "needs a name"),
                       (("collections", "rename", str(cid), "x", "--as", "nobody"), "there is no user"),
                       (("collections", "delete", "999999", "--as", "olga"), "no collection 999999")]:
        refused = paperboard(*args, data_dir=tmp_path)
        assert refused.returncode == 2 and said in refused.stderr, (args, refused.stderr)
    assert paperboard("collections", "delete", str(cid), "--as", "olga", data_dir=tmp_path).returncode == 0
    listed = json.loads(paperboard("collections", "list", "olga", "--format", "json", data_dir=tmp_path).stdout)
    assert [c["name"] for c in listed] == ["Reading list"]
