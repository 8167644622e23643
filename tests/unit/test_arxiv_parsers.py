"""The OAI-PMH and Atom parsers on real recorded arXiv responses (../shared/fixtures)."""

import datetime as dt

import pytest

from paperboard.ingest.arxiv_api import ArxivApiError, parse_feed
from paperboard.ingest.arxiv_oai import OaiError, parse_list_records
from paperboard.ingest.errors import SourceError
from paperboard.models import Author
from tests.conftest import fixture_bytes

OAI_PAGE = "arxiv-oai/listrecords-arXiv-2015-01-01-to-2015-01-03.xml"


def test_oai_page_with_new_and_old_style_ids():
    page = parse_list_records(fixture_bytes(OAI_PAGE))
    assert [p.id for p in page.papers] == ["1412.8544", "hep-th/9504118"]
    assert page.token is None and not page.problems
    ks = page.papers[0]
    assert ks.authors == (Author("Sander Uijlen", "Radboud Universiteit"),
                          Author("Bas Westerbaan", "Radboud Universiteit"))
    assert ks.categories == ("cs.DM",)
    assert ks.doi == "10.4204/EPTCS.172.11" and ks.journal_ref.startswith("EPTCS 172")
    assert ks.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert ks.listed == dt.date(2015, 1, 3) and ks.published == dt.date(2014, 12, 29)
    assert ks.abstract.startswith("At the heart of the Conway-Kochen") and "\n" in ks.abstract
    assert ks.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert page.papers[1].abstract.count("&quot;") == 0 and '"strength"' in page.papers[1].abstract


def _with_token(data: bytes, token: bytes) -> bytes:
    return data.replace(b"</ListRecords>", token + b"</ListRecords>")


def test_resumption_token_and_last_page():
    data = fixture_bytes(OAI_PAGE)
    page = parse_list_records(_with_token(
        data, b'<resumptionToken cursor="0" completeListSize="4">abc|1001</resumptionToken>'))
    assert (page.token, page.complete_size, page.cursor) == ("abc|1001", 4, 0)
    last = parse_list_records(_with_token(data, b'<resumptionToken cursor="2" completeListSize="4"/>'))
    assert last.token is None and len(last.papers) == 2


def test_a_malformed_record_is_reported_and_the_rest_kept():
    data = fixture_bytes(OAI_PAGE).replace(b"<id>1412.8544</id>", b"<id>not-an-id</id>", 1)
    page = parse_list_records(data, "page 1")
    assert [p.id for p in page.papers] == ["hep-th/9504118"]
    (location, reason), = page.problems
    assert "record 1 (oai:arXiv.org:1412.8544)" in location and "not an arXiv id" in reason


def test_oai_errors():
    head = b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    empty = parse_list_records(head + b'<error code="noRecordsMatch">none</error></OAI-PMH>')
    assert empty.papers == [] and empty.token is None
    with pytest.raises(OaiError, match="badResumptionToken") as exc:
        parse_list_records(head + b'<error code="badResumptionToken">expired</error></OAI-PMH>')
    assert exc.value.code == "badResumptionToken"


@pytest.mark.parametrize(
    "body",
    [b"<html><body>\n<h1>Retry after 10 seconds</h1>\n</body></html>\n",  # arXiv's 503 body
     b"", b"<OAI-PMH", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'],
)
def test_non_oai_bodies_are_source_errors(body):
    with pytest.raises(SourceError):
        parse_list_records(body)


def test_atom_versioned_id():
    page = parse_feed(fixture_bytes("arxiv-api/id-versioned-2104.12255v1.xml"))
    (p,) = page.papers
    assert (p.id, p.version, p.title) == ("2104.12255", 1, "0")
    assert p.categories == ("cs.CR",) and p.authors == (Author("Quan Thoi Minh Nguyen"),)
    assert p.published == dt.date(2021, 4, 20)


def test_atom_old_style_id():
    (p,) = parse_feed(fixture_bytes("arxiv-api/id-old-style-astro-ph-0601001.xml")).papers
    assert p.id == "astro-ph/0601001" and p.version == 1
    assert p.links["abs"] == "https://arxiv.org/abs/astro-ph/0601001"


def test_atom_not_found_is_an_empty_feed():
    page = parse_feed(fixture_bytes("arxiv-api/id-not-found-0000.0000.xml"))
    assert page.papers == [] and page.total == 0


def test_atom_id_list_with_one_missing_id():
    page = parse_feed(fixture_bytes("arxiv-api/id-list-0808.05394-1707.08567.xml"))
    assert [p.id for p in page.papers] == ["1707.08567"] and page.total == 1


def test_atom_malformed_id_error_entry_raises():
    with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
        parse_feed(fixture_bytes("arxiv-api/id-malformed-abc.xml"))


def test_atom_query_pages():
    first = parse_feed(fixture_bytes("arxiv-api/query-testing-start0-max100.xml"))
    second = parse_feed(fixture_bytes("arxiv-api/query-testing-start10-max10.xml"))
    assert len(first.papers) == 100 and (second.start, second.per_page, len(second.papers)) == (10, 10, 10)
    assert first.total == second.total > 100
    # the second page is a window of the same result list
    assert [p.id for p in second.papers] == [p.id for p in first.papers[10:20]]
    with_doi = [p for p in first.papers if p.doi]
    assert with_doi and all(p.primary_category for p in first.papers)
