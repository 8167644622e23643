"""``paperboard search / similar / reindex`` as a user runs them; ingest keeps the index current."""

import json

import pytest

from tests.conftest import SEED, require
from tests.functional.cli import paperboard

pytestmark = pytest.mark.usefixtures("store_kind")  # each test on SQLite and on PostgreSQL


def test_ingest_indexes_and_search_answers_in_json(tmp_path):
    assert paperboard("ingest", str(require(SEED)), data_dir=tmp_path).returncode == 0
    out = paperboard("search", "reversal curse", "--limit", "3", "--format", "json", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert {"id", "title", "score", "published", "highlights"} <= set(first)
    assert "Reversal Curse" in first["title"] and {"reversal", "curse"} <= set(first["highlights"]["terms"])
    assert "reversal" in first["highlights"]["abstract"].lower() and "<" not in first["highlights"]["abstract"]

    table = paperboard("search", "grokkng", data_dir=tmp_path)
    assert "corrected: grokkng -> grokking" in table.stderr and "Grokking" in table.stdout
    exact = paperboard("search", "grokkng", "--exact", data_dir=tmp_path)
    assert "corrected" not in exact.stderr

    similar = paperboard("similar", first["id"], "--limit", "2", "--format", "json", data_dir=tmp_path)
    assert [r["id"] for r in json.loads(similar.stdout)["results"]] != [first["id"]]

    reindexed = paperboard("reindex", data_dir=tmp_path)
    assert reindexed.returncode == 0 and "indexed 559 papers" in reindexed.stdout


def test_search_errors_are_clear(tmp_path):
    empty = paperboard("search", "anything at all", data_dir=tmp_path)
    assert empty.returncode == 0 and "no results" in empty.stderr  # an empty store answers, not crashes
    unknown = paperboard("similar", "2401.00001", data_dir=tmp_path)
    assert unknown.returncode == 1 and "not in the index" in unknown.stderr
    both = paperboard("similar", "2401.00001", "--text", "x", data_dir=tmp_path)
    assert both.returncode == 2
    no_index = paperboard("ingest", str(SEED), "--no-index", data_dir=tmp_path / "other")
    assert no_index.returncode == 0
    stale = paperboard("search", "reversal curse", data_dir=tmp_path / "other")
    assert "the search index holds 0 of 559 papers: run `paperboard reindex`" in stale.stderr


def test_the_next_ingest_indexes_what_an_earlier_one_left_unindexed(tmp_path):
    """An ingest killed after committing but before indexing is the same as one run with --no-index."""
    assert paperboard("ingest", str(SEED), "--no-index", data_dir=tmp_path).returncode == 0
    again = paperboard("ingest", str(SEED), data_dir=tmp_path)  # everything unchanged: nothing to write
    assert "unchanged 559" in again.stdout
    found = paperboard("search", "reversal curse", data_dir=tmp_path)
    assert "Reversal Curse" in found.stdout and "run `paperboard reindex`" not in found.stderr
