"""The ``paperboard`` command on dump files, run as a subprocess the way a user runs it."""

import gzip
import json

import orjson
import pytest

from tests.conftest import FIXTURES, SEED, require
from tests.functional.cli import paperboard

pytestmark = pytest.mark.usefixtures("store_kind")  # each test on SQLite and on PostgreSQL


def _summary(result) -> dict:
    return json.loads(result.stdout)


def test_bad_lines_are_reported_with_location_and_the_rest_is_stored(tmp_path):
    dump = tmp_path / "mixed.jsonl"
    dump.write_text(
        '{"id": "2401.00001", "title": "Good one", "authors": ["A. B."], "listed": "2024-01-02"}\n'
        "{not json\n"
        '\n'
        '{"id": "0808.05394", "title": "Bad id"}\n'
        '{"title": "No id, derived from title"}\n'
        '{"id": "2401.00002", "title": ""}\n'
    )
    result = paperboard("ingest", str(dump), "--output-format", "json", data_dir=tmp_path / "d")
    assert result.returncode == 1, result.stderr
    summary = _summary(result)
    assert (summary["added"], summary["rejected"]) == (2, 3)
    locations = {p["location"]: p["reason"] for p in summary["problems"]}
    assert "not valid JSON" in locations["mixed.jsonl:2"]
    assert "4 digits" in locations["mixed.jsonl:4"]
    assert "missing title" in locations["mixed.jsonl:6"]
    stats = paperboard("stats", "--format", "json", data_dir=tmp_path / "d")
    assert json.loads(stats.stdout)["papers"] == 2


def test_seed_corpus_ingests_reingests_and_round_trips_through_export(tmp_path):
    data = tmp_path / "d"
    first = paperboard("ingest", str(require(SEED)), "--output-format", "json", data_dir=data)
    assert first.returncode == 0, first.stderr
    assert _summary(first)["added"] == 559 and _summary(first)["rejected"] == 0
    again = _summary(paperboard("ingest", str(SEED), "--output-format", "json", data_dir=data))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 559)
    skipped = paperboard("ingest", str(SEED), "--skip-loaded", data_dir=data)  # as ./scripts/start does
    assert skipped.returncode == 0 and "unchanged 0, rejected 0, 559 loaded before and not read again" in skipped.stdout

    exported = paperboard("export", data_dir=data)
    assert exported.returncode == 0 and "exported 559 papers" in exported.stderr
    out = tmp_path / "export.jsonl.gz"
    out.write_bytes(gzip.compress(exported.stdout.encode()))
    other = tmp_path / "d2"
    reloaded = paperboard("ingest", str(out), "--output-format", "json", data_dir=other)
    assert _summary(reloaded)["added"] == 559
    assert paperboard("export", data_dir=other).stdout == exported.stdout

    as_array = paperboard("export", "--format", "json", data_dir=data)
    assert len(orjson.loads(as_array.stdout)) == 559


def test_saved_xml_responses_and_hf_json_are_ingested(tmp_path):
    hf = tmp_path / "daily.json"
    hf.write_text(json.dumps([{"paper": {"id": "1707.08567", "title": "From HF", "upvotes": 9,
                                         "authors": [{"name": "Somebody"}]}, "numComments": 2}]))
    oai = FIXTURES / "arxiv-oai" / "listrecords-arXiv-2015-01-01-to-2015-01-03.xml"
    atom = FIXTURES / "arxiv-api" / "id-list-0808.05394-1707.08567.xml"
    result = paperboard("ingest", str(oai), str(atom), str(hf), "--output-format", "json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    s = _summary(result)
    assert (s["added"], s["updated"]) == (3, 1)  # the HF record enriches the paper from the API
    exported = [orjson.loads(line) for line in paperboard("export", data_dir=tmp_path).stdout.splitlines()]
    paper = next(p for p in exported if p["id"] == "1707.08567")
    assert paper["extra"]["huggingface"]["upvotes"] == 9 and paper["source"] == "arxiv-api"


def test_unreadable_sources_fail_clearly_and_lose_nothing(tmp_path):
    data = tmp_path / "d"
    assert paperboard("ingest", str(SEED), data_dir=data).returncode == 0
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'[{"title": "x"}')[:-8])
    result = paperboard("ingest", str(tmp_path / "missing.jsonl"), str(broken), data_dir=data)
    assert result.returncode == 1
    assert "missing.jsonl: No such file or directory" in result.stderr
    assert "broken.json.gz" in result.stderr
    stats = json.loads(paperboard("stats", "--format", "json", data_dir=data).stdout)
    assert stats["papers"] == 559


def test_usage_errors(tmp_path):
    no_from = paperboard("ingest", "arxiv", data_dir=tmp_path)
    assert no_from.returncode == 2 and "--from is needed" in no_from.stderr
    mixed = paperboard("ingest", "file.jsonl", "--ids", "2401.00001", data_dir=tmp_path)
    assert mixed.returncode == 2 and "go with `paperboard ingest arxiv`" in mixed.stderr
    bad_date = paperboard("ingest", "arxiv", "--from", "yesterday", data_dir=tmp_path)
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    bad_db = paperboard("--db", "nonsense://", "stats", data_dir=tmp_path)
    assert bad_db.returncode == 1 and "nonsense" in bad_db.stderr and "Traceback" not in bad_db.stderr
    bad_setting = paperboard("stats", data_dir=tmp_path, env={"PAPERBOARD_BATCH_SIZE": "lots"})
    assert bad_setting.returncode == 2 and "PAPERBOARD_BATCH_SIZE" in bad_setting.stderr


def test_help_answers_the_question(tmp_path):
    top = paperboard("--help", data_dir=tmp_path).stdout
    for command in ("ingest", "export", "stats", "settings"):
        assert command in top
    ingest_help = paperboard("ingest", "--help", data_dir=tmp_path).stdout
    assert "paperboard ingest arxiv --from 2026-11-01 --category cs.LG" in ingest_help
    assert "--ids" in ingest_help and "exit status is 1" in ingest_help


def test_progress_bar_only_when_asked_or_on_a_terminal(tmp_path):
    quiet = paperboard("ingest", str(SEED), data_dir=tmp_path / "a")
    assert "%|" not in quiet.stderr and "added 559" in quiet.stdout
    shown = paperboard("ingest", str(SEED), "--progress", data_dir=tmp_path / "b")
    assert "seed-papers.jsonl" in shown.stderr and "559 papers" in shown.stderr and "100%" in shown.stderr


def test_settings_lists_every_setting_with_its_value(tmp_path):
    from paperboard.config import SETTINGS

    listed = json.loads(paperboard("settings", "--format", "json", data_dir=tmp_path,
                                   env={"PAPERBOARD_HARVEST_SETS": "cs,stat",
                                        "PAPERBOARD_DIGEST_WEEKLY_SCHEDULE": "fri 09:00"}).stdout)
    values = {row["env"]: row["value"] for row in listed}
    assert set(values) == {s.env for s in SETTINGS}
    assert values["PAPERBOARD_HARVEST_SETS"] == "cs,stat"
    assert values["PAPERBOARD_DIGEST_WEEKLY_SCHEDULE"] == "fri 09:00"
    assert values["PAPERBOARD_INDEX_SCHEDULE"] == "every 300"


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)  # a SQLite file that is not there yet
def test_a_command_on_a_folder_without_a_store_says_so(tmp_path):
    fresh = paperboard("stats", data_dir=tmp_path / "elsewhere")
    assert fresh.returncode == 0 and "no store in" in fresh.stderr and "PAPERBOARD_DATA_DIR" in fresh.stderr
    again = paperboard("stats", data_dir=tmp_path / "elsewhere")
    assert "no store in" not in again.stderr


def test_indexing_says_what_it_does(tmp_path):
    result = paperboard("ingest", str(SEED), data_dir=tmp_path)
    assert "added 559" in result.stdout
    assert "indexing 559 papers for search" in result.stderr and "indexed 559 papers in" in result.stderr


def test_the_daily_feed_in_the_cli_takes_a_filter_and_refuses_a_bad_one(tmp_path):
    from tests.web.data import corpus_records, hf_daily_items

    records = corpus_records(40)
    items = hf_daily_items(records)
    dump, papers = tmp_path / "daily.json", tmp_path / "papers.jsonl"
    dump.write_text(json.dumps(items))
    papers.write_text("".join(json.dumps(r) + "\n" for r in records))  # with their categories
    assert paperboard("ingest", str(papers), str(dump), data_dir=tmp_path).returncode == 0
    every = orjson.loads(paperboard("daily", "--format", "json", "--limit", "100", data_dir=tmp_path).stdout)
    cats = {r["id"]: r["categories"] for r in records}
    counted = {c: sum(c in cats[i["paper"]["id"]] for i in every) for r in records for c in r["categories"]}
    some = next(c for c, n in sorted(counted.items(), key=lambda kv: -kv[1]) if 0 < n < len(every))
    kept = paperboard("daily", "--format", "json", "--limit", "100", "--filter", f"-category:{some}",
                      data_dir=tmp_path)
    ids = [i["paper"]["id"] for i in orjson.loads(kept.stdout)]
    assert ids and len(ids) == len(every) - counted[some] and not any(some in cats[i] for i in ids)
    refused = paperboard("daily", "--filter", "has:everything", data_dir=tmp_path)
    assert refused.returncode == 2 and "has:code or has:project" in refused.stderr
