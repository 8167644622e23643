"""Record formats of dump files. Records here are made up; the real corpora are read in functional tests."""

import datetime as dt

import pytest

from paperboard.ingest.dumps import RecordError, detect_format, parse_record
from paperboard.models import Author

ARXIV = {"id": "2503.11731", "title": "A  Made-up\n Title", "summary": "Line one\nline two.",
         "authors": ["Ada Lovelace", "Alan  Turing"], "categories": ["cs.CV", "cs.RO"],
         "comment": "Code: https://github.com/acme/tool", "listed": "2025-03-18"}
HF_PAPER = {"id": "2401.00001", "title": "HF Paper", "summary": "S.", "upvotes": 42,
            "publishedAt": "2024-01-02T00:00:00.000Z", "githubRepo": "https://github.com/a/b",
            "authors": [{"_id": "x", "name": "Ada Lovelace", "hidden": False}],
            "submittedOnDailyAt": "2024-01-03T08:00:00.000Z"}
HF_DAILY = {"paper": HF_PAPER, "title": "HF Paper", "numComments": 3,
            "submittedBy": {"name": "someone"}, "publishedAt": "2024-01-03T08:00:00.000Z"}
KAGGLE = {"id": "0704.0001", "title": "Old paper", "abstract": "  Abstract.\n",
          "authors": "A. One and B. Two", "authors_parsed": [["One", "A.", ""], ["Two", "B.", "Jr"]],
          "categories": "hep-ph math.CO", "comments": "37 pages", "journal-ref": "Phys. Rev. D 76",
          "doi": "10.1103/x", "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                                          {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
          "update_date": "2008-11-13", "submitter": "Pavel"}
SEED = {"title": "Untitled Work", "summary": "S.", "published": "Aug 28", "upvotes": 5, "num_authors": 3}


@pytest.mark.parametrize(
    ("record", "fmt"),
    [(ARXIV, "arxiv"), (HF_PAPER, "hf-paper"), (HF_DAILY, "hf-daily"), (KAGGLE, "kaggle"),
     (SEED, "titles"), ({"id": "scifact:1", "title": "t", "summary": "s"}, "arxiv")],
)
def test_formats_are_detected_from_keys(record, fmt):
    assert detect_format(record) == fmt


def test_arxiv_dump_record():
    p = parse_record(ARXIV)
    assert p.id == "2503.11731" and p.title == "A Made-up Title"
    assert p.abstract == "Line one line two."
    assert p.authors == (Author("Ada Lovelace"), Author("Alan Turing"))
    assert p.primary_category == "cs.CV" and p.listed == dt.date(2025, 3, 18)
    assert p.links["code"] == "https://github.com/acme/tool"
    assert p.source == "arxiv-dump"


def test_hf_records_keep_their_extras():
    daily = parse_record(HF_DAILY)
    assert daily.id == "2401.00001" and daily.source == "huggingface"
    assert daily.published == dt.date(2024, 1, 2) and daily.listed == dt.date(2024, 1, 3)
    assert daily.extra["huggingface"]["upvotes"] == 42
    assert daily.extra["huggingface"]["numComments"] == 3
    assert daily.links["code"] == "https://github.com/a/b"
    assert parse_record(HF_PAPER).authors == (Author("Ada Lovelace"),)


def test_kaggle_snapshot_record():
    p = parse_record(KAGGLE)
    assert p.authors == (Author("A. One"), Author("B. Two Jr"))
    assert p.version == 2 and p.published == dt.date(2007, 4, 2) and p.updated == dt.date(2007, 7, 24)
    assert p.categories == ("hep-ph", "math.CO") and p.journal_ref == "Phys. Rev. D 76"
    assert p.extra == {}


def test_record_without_id_gets_a_title_id_and_keeps_a_yearless_date_as_text():
    p = parse_record(SEED)
    assert p.id.startswith("title:") and p.source == "dump"
    assert p.published is None and p.published_text == "Aug 28"
    assert p.extra == {"upvotes": 5, "num_authors": 3}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ([1, 2], "expected a JSON object"),
        ({"id": "2401.00001"}, "missing title"),
        ({"id": "2401.00001", "title": "   "}, "missing title"),
        ({"id": "0808.05394", "title": "t"}, "4 digits"),
        ({"id": "2401.00001", "title": "t", "listed": "yesterday"}, "not a date"),
        ({"id": "2401.00001", "title": "t", "authors": 7}, "authors must be a list"),
        ({"id": "2401.00001", "title": "t", "categories": [1]}, "categories must be"),
        ({"id": "2401.00001", "title": "t" * 3000}, "title is 3000 characters"),
        ({"id": "2401.00001", "title": "t", "summary": 5}, "abstract must be text"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(record, reason):
    with pytest.raises(RecordError, match=reason):
        parse_record(record)


def test_markup_is_stored_verbatim_as_text():
    p = parse_record({"id": "2401.00001", "title": "<script>alert(1)</script> & co", "summary": "<b>x</b>"})
    assert p.title == "<script>alert(1)</script> & co" and p.abstract == "<b>x</b>"


def test_class_lists_in_categories_are_split():
    p = parse_record({"id": "2401.00001", "title": "t", "categories": ["cs.LG", "I.2.6; C.1.4", "68T09, 68T50"]})
    assert p.categories == ("cs.LG", "I.2.6", "C.1.4", "68T09", "68T50")
    with pytest.raises(RecordError, match="longer than 128"):
        parse_record({"id": "2401.00001", "title": "t", "categories": ["x" * 200]})


def test_a_category_is_one_word_whatever_the_dump_holds():
    p = parse_record({"id": "2401.00001", "title": "t",
                      "categories": ["cs.LG\nER  -\n\nTY  - JOUR", "math-ph\x07", "-", "stat.ML"]})
    assert p.categories == ("cs.LG", "ER", "TY", "JOUR", "math-ph", "stat.ML")  # no line breaks, controls, dashes


def test_summaries_of_several_sources_add_up():
    from paperboard.ingest.pipeline import MAX_PROBLEMS_KEPT, Summary

    total = Summary(added=1, updated=2, unchanged=3, rejected=1, skipped=5, problems=[("a:1", "bad")],
                    seconds=1.5)
    other = Summary(added=10, updated=20, unchanged=30, rejected=MAX_PROBLEMS_KEPT, skipped=7,
                    problems=[(f"b:{i}", "worse") for i in range(MAX_PROBLEMS_KEPT)], seconds=2.0)
    total.merge(other)
    assert (total.added, total.updated, total.unchanged, total.rejected, total.skipped) == (11, 22, 33, 1001, 12)
    assert total.seconds == 3.5 and total.processed == 11 + 22 + 33 + 1001
    assert len(total.problems) == MAX_PROBLEMS_KEPT  # kept up to the cap, the first ones first
    assert total.problems[:2] == [("a:1", "bad"), ("b:0", "worse")]
    assert total.as_dict()["resumed_after"] == 12 and total.as_dict()["papers_per_second"] == round(1067 / 3.5)


def test_a_summary_keeps_the_first_problems_and_counts_them_all():
    from paperboard.ingest.pipeline import MAX_PROBLEMS_KEPT, Summary

    summary = Summary()
    for i in range(MAX_PROBLEMS_KEPT + 5):
        summary.reject(f"dump.jsonl:{i + 1}", "not valid JSON")
    assert summary.rejected == MAX_PROBLEMS_KEPT + 5 and summary.processed == MAX_PROBLEMS_KEPT + 5
    assert len(summary.problems) == MAX_PROBLEMS_KEPT and summary.problems[0] == ("dump.jsonl:1", "not valid JSON")
    assert summary.as_dict()["problems"][-1] == {"location": f"dump.jsonl:{MAX_PROBLEMS_KEPT}",
                                                 "reason": "not valid JSON"}
    assert summary.as_dict()["papers_per_second"] is None  # no time measured


def test_a_summary_as_the_cli_prints_it():
    from paperboard.ingest.pipeline import Summary

    summary = Summary(added=5, updated=2, unchanged=1, rejected=2, skipped=4, seconds=2.0004)
    summary.problems = [("dump.jsonl:3", "missing title")]
    assert summary.as_dict() == {
        "added": 5, "updated": 2, "unchanged": 1, "rejected": 2, "resumed_after": 4, "loaded_before": 0, "seconds": 2.0,
        "papers_per_second": 5, "problems": [{"location": "dump.jsonl:3", "reason": "missing title"}]}
