"""Citation formats out (BibTeX, RIS, CSL-JSON) and reference lists in, read back by the libraries
reference managers are built on."""

from __future__ import annotations

import datetime as dt

import bibtexparser
import orjson
import pytest
import rispy

from paperboard.cite import bibtex_all, csl_json, csl_json_all, family_given, ris, ris_all
from paperboard.models import Author, Paper
from paperboard.references import ReferencesError, read, sniff

PAPERS = [
    Paper(id="2501.01234", title="Scaling  laws\nfor $O(n^2)$ attention", abstract="We measure it.",
          authors=(Author("Ada Lovelace"), Author("Jan van der Berg"), Author("Plato")),
          categories=("cs.LG", "cs.AI"), published=dt.date(2025, 1, 2), links={"abs": "https://arxiv.org/abs/2501.01234"}),
    Paper(id="hep-th/9901001", title="Old strings", authors=(Author("Ada Lovelace"),), listed=dt.date(1999, 1, 4)),
    Paper(id="2401.00001", title="Scaling laws revisited", authors=(Author("Ada Lovelace"),),
          published=dt.date(2025, 5, 1), journal_ref="Nature 1, 2 (2025)", doi="10.1000/xyz"),
]


@pytest.mark.parametrize(("name", "expected"), [
    ("Ada Lovelace", ("Lovelace", "Ada")), ("Jan van der Berg", ("van der Berg", "Jan")),
    ("Lovelace, Ada", ("Lovelace", "Ada")), ("Plato", ("Plato", "")), ("  ", ("", "")),
])
def test_names_split_into_family_and_given(name, expected):
    assert family_given(name) == expected


def test_ris_reads_back_with_rispy():
    records = rispy.loads(ris_all(PAPERS))
    assert [r["type_of_reference"] for r in records] == ["UNPB", "UNPB", "JOUR"]
    first = records[0]
    assert first["title"] == "Scaling laws for $O(n^2)$ attention"
    assert first["authors"] == ["Lovelace, Ada", "van der Berg, Jan", "Plato"]
    assert first["year"] == "2025" and first["keywords"] == ["cs.LG", "cs.AI"]
    assert first["urls"] == ["https://arxiv.org/abs/2501.01234"]
    assert records[2]["doi"] == "10.1000/xyz" and records[2]["journal_name"] == "Nature 1, 2 (2025)"
    assert ris(PAPERS[1]).endswith("ER  -\n")


def test_no_value_can_start_a_record_or_close_a_field_of_its_own():
    """A line break in an ingested category injected records into RIS exports."""
    hostile = Paper(id="2501.07777", title="Title\r\nTY  - JOUR\nTI  - injected", abstract="a\nER  -\nTY  - X",
                    authors=(Author("Eve\nAU  - Mallory"),), categories=("cs.LG\nER  -\n\nTY  - JOUR",),
                    doi="10.1/x}, note = {pwned", journal_ref="J\nER  -", published=dt.date(2025, 1, 1))
    records = rispy.loads(ris_all([hostile, PAPERS[0]]))
    assert len(records) == 2 and records[1]["title"] == "Scaling laws for $O(n^2)$ attention"
    assert records[0]["title"] == "Title TY - JOUR TI - injected" and records[0]["authors"] == ["Mallory, Eve AU -"]
    entries = bibtexparser.parse_string(bibtex_all([hostile])).entries
    assert len(entries) == 1 and "note" not in entries[0].fields_dict
    assert entries[0].fields_dict["doi"].value == "10.1/x,note=pwned"


def test_csl_json_items_have_unique_ids_and_structured_names():
    items = csl_json_all([PAPERS[0], PAPERS[0]])
    assert [i["id"] for i in items] == ["lovelace2025scaling", "lovelace2025scalingb"]  # as BibTeX's keys
    assert "{lovelace2025scalingb," in bibtex_all([PAPERS[0], PAPERS[0]])
    one = csl_json(PAPERS[0])
    assert one["author"] == [{"family": "Lovelace", "given": "Ada"}, {"family": "van der Berg", "given": "Jan"},
                             {"literal": "Plato"}]
    assert one["issued"] == {"date-parts": [[2025, 1, 2]]} and one["number"] == "arXiv:2501.01234"
    assert csl_json(PAPERS[2])["type"] == "article-journal" and csl_json(PAPERS[2])["DOI"] == "10.1000/xyz"


@pytest.mark.parametrize("export", [bibtex_all, ris_all, lambda ps: orjson.dumps(csl_json_all(ps)).decode()])
def test_every_export_imports_back_to_the_same_papers(export):
    again = read(export(PAPERS))
    assert again.ids == [p.id for p in PAPERS] and again.problems == []
    assert bibtexparser.parse_string(bibtex_all(PAPERS)).failed_blocks == []


def test_what_zotero_and_others_write_about_arxiv_papers():
    bib = """@article{a, title={A}, journal={arXiv preprint arXiv:2401.00001}}
@misc{b, url={https://arxiv.org/pdf/2312.00752v2}}
@misc{c, doi={10.48550/arXiv.2310.06825}}
@misc{d, eprint={2402.12345}, eprinttype={arxiv}}
@article{e, title={Not on arXiv}, journal={Nature}}
@misc{a2, eprint={arXiv:2401.00001v3}}"""
    found = read(bib)
    assert found.ids == ["2401.00001", "2312.00752", "2310.06825", "2402.12345"]  # once each
    assert found.problems == ["e: names no arXiv paper"]
    plain = read("# my reading list\n2501.01234\nhttps://arxiv.org/abs/hep-th/9901001v2, 2401.00001\nnonsense")
    assert plain.ids == ["2501.01234", "hep-th/9901001", "2401.00001"] and plain.problems == [
        "nonsense: names no arXiv paper"]


@pytest.mark.parametrize(("text", "fmt"), [("@misc{x,", "bibtex"), ("TY  - JOUR\n", "ris"), ("[1, 2", "csl-json"),
                                           ("2501.01234", "ids"), ("\ufeff@article{", "bibtex")])
def test_formats_are_sniffed(text, fmt):
    assert sniff(text) == fmt


def test_hostile_reference_lists_are_refused_or_reported():
    assert read("@misc{broken").problems == ["line 1: not a BibTeX entry Paperboard can read"]
    with pytest.raises(ReferencesError, match="not JSON"):
        read("[{", "csl-json")
    with pytest.raises(ReferencesError, match="list of items"):
        read('{"id": 1}', "csl-json")
    with pytest.raises(ReferencesError, match="unknown reference format"):
        read("x", "endnote-xml")
    with pytest.raises(ReferencesError, match="at most"):
        read("\n".join(f"2501.{i:05d}" for i in range(1, 2100)))
    assert read("\x00\x01 \u202e").ids == []
    assert read('[null, "x", {"id": "y"}]').problems == ["item 1: not a CSL-JSON item", "item 2: not a CSL-JSON item",
                                                         "y: names no arXiv paper"]
