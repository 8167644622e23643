"""The real huggingface_hub client (what `hf papers` uses) against a running Paperboard server."""


import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from tests.web.data import DAYS, PER_DAY


@pytest.fixture(scope="module")
def hf(server):
    return HfApi(endpoint=server.url, token=False)


def test_list_daily_papers(hf):
    papers = list(hf.list_daily_papers(date=DAYS[0]))
    assert len(papers) == PER_DAY
    p = papers[0]
    assert p.id and p.title and p.summary and p.authors[0].name
    assert p.submitted_at.date().isoformat() == DAYS[0]
    assert p.submitted_by.username.startswith("curator")
    assert isinstance(p.upvotes, int) and isinstance(p.comments, int)
    week = list(hf.list_daily_papers(week="2025-W12", sort="trending", limit=100))
    assert len(week) == 3 * PER_DAY
    paged = list(hf.list_daily_papers(month="2025-03", submitter="curator0", p=1, limit=5))
    assert len(paged) == 5 and all(p.submitted_by.username == "curator0" for p in paged)


def test_paper_info_list_papers_read_paper(hf, server):
    first = server.populated.records[0]
    info = hf.paper_info(first["id"])
    assert info.id == first["id"] and info.title == first["title"]
    assert [a.name for a in info.authors] == first["authors"]
    assert info.submitted_at is not None and info.published_at is not None
    found = list(hf.list_papers(query=first["title"], limit=5))
    assert first["id"] in [p.id for p in found]
    text = hf.read_paper(first["id"])
    assert text.startswith("# " + first["title"])


def test_a_paper_off_the_feed_has_the_keywords_and_summary_written_at_ingest(hf, server):
    plain = server.populated.records[-3]  # beyond the imported feed: nothing from the Hub
    info = hf.paper_info(plain["id"])
    assert 3 <= len(info.ai_keywords) <= 8
    text = " ".join(f"{plain['title']} {plain['summary']}".split()).lower()
    assert all(word.lower() in text for k in info.ai_keywords for word in k.split())
    assert 0 < len(info.ai_summary) <= 300 and info.ai_summary[1:40] in " ".join(plain["summary"].split())


def test_the_client_sees_every_field_it_reads(hf, server):
    """PaperInfo's summary, keywords, links, organization and linked repositories, from /api/papers/{id}
    and from the daily list (where it reads them beside the paper, not inside it)."""
    linked = server.populated.records[1]
    listed = {p.id: p for p in hf.list_daily_papers(date=DAYS[0], limit=100)}
    for info in (hf.paper_info(linked["id"]), listed[linked["id"]]):
        assert info.github_repo == "https://github.com/example-lab/code"
        assert info.github_stars == 42
        assert info.project_page == "https://example.org/project"
        assert (info.organization.name, info.organization.fullname) == ("example-lab", "Example Lab")
        assert info.organization.avatar_url == "https://example.org/lab.png"
        assert info.ai_keywords == ["test"]  # the Hub's own, as the dump brought them
        # no summary in the dump: the sentence of the abstract written at ingest
        assert 0 < len(info.ai_summary) <= 300 and info.ai_summary[1:40] in " ".join(linked["summary"].split())
        assert info.linked_models == info.linked_datasets == info.linked_spaces == []
        assert (info.num_total_models, info.num_total_datasets) == (0, 0)
        assert info.numTotalSpaces == 0  # the client keeps what it has no attribute for under the Hub's name
        assert info.submitted_by.fullname == "Curator 1" and info.submitted_by.is_pro is False
        assert info.thumbnail == info.mediaUrls[0] == f"{server.url}/papers/{linked['id']}/card.png"
    card = httpx.get(info.thumbnail, timeout=10)
    assert card.status_code == 200 and card.headers["content-type"].startswith("image/png")
    assert card.content.startswith(b"\x89PNG") and len(card.content) > 5000  # the title drawn on it
    plain = listed[server.populated.records[2]["id"]]
    assert plain.github_repo is None and plain.organization is None and plain.linked_models == []


def test_errors_reach_the_client(hf):
    with pytest.raises(HfHubHTTPError) as missing:
        hf.paper_info("2501.99999")
    assert missing.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as bad:
        list(hf.list_daily_papers(date="2025-02-30"))
    assert bad.value.response.status_code == 400
    assert "real day" in str(bad.value)


def test_the_hf_papers_command_line(server, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    hf = Path(sys.executable).with_name("hf")
    env = {**os.environ, "HF_ENDPOINT": server.url, "HF_HOME": str(tmp_path), "HF_HUB_DISABLE_TELEMETRY": "1",
           "NO_COLOR": "1"}

    def run(*args: str) -> str:
        done = subprocess.run([str(hf), "papers", *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = json.loads(run("ls", "--date", DAYS[2], "--format", "json"))
    assert len(listed) == PER_DAY and all(p["title"] for p in listed)
    first = server.populated.records[0]
    assert json.loads(run("info", first["id"], "--json"))["title"] == first["title"]
    assert run("read", first["id"]).startswith("# " + first["title"])
    assert first["id"] in run("search", first["title"], "-q").split()


class TestPaperApiBehaviours:
    """huggingface_hub's own TestPaperApi (tests/test_hf_api.py), on our data: the same calls, the same
    expectations."""

    def test_query_and_its_limit(self, hf, server):
        wanted = server.populated.records[3]
        assert wanted["title"] in [p.title for p in hf.list_papers(query=wanted["title"])]
        assert len(list(hf.list_papers(query="learning", limit=2))) == 2

    def test_unknown_id_is_404_and_a_bad_date_400(self, hf):
        from huggingface_hub.errors import BadRequestError

        with pytest.raises(HfHubHTTPError) as context:
            hf.paper_info("1234.56789")
        assert context.value.response.status_code == 404
        with pytest.raises(BadRequestError):
            list(hf.list_daily_papers(date="2025-13-40"))

    def test_default_date_and_a_given_one(self, hf):
        for papers in (list(hf.list_daily_papers()), list(hf.list_daily_papers(date=DAYS[1]))):
            assert papers and all(p.id and p.title for p in papers)

    def test_a_week_and_a_month_stay_in_their_bounds(self, hf):
        import datetime as dt

        year, week, _ = dt.date.fromisoformat(DAYS[0]).isocalendar()
        papers = list(hf.list_daily_papers(week=f"{year}-W{week:02d}", limit=100))
        start = dt.datetime.fromisocalendar(year, week - 1, 5).replace(tzinfo=dt.UTC)  # the Friday before
        end = dt.datetime.fromisocalendar(year, week, 7).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
        assert papers and all(start <= p.submitted_at < end for p in papers)
        papers = list(hf.list_daily_papers(month=DAYS[0][:7], limit=100))
        first = dt.datetime.fromisoformat(DAYS[0][:7] + "-01").replace(tzinfo=dt.UTC)
        assert papers and all(first - dt.timedelta(days=1) <= p.submitted_at < first + dt.timedelta(days=31)
                              for p in papers)

    def test_submitter_page_past_the_end_and_exact_limit(self, hf):
        assert all(p.submitted_by.fullname == "Curator 0" for p in hf.list_daily_papers(submitter="curator0"))
        assert list(hf.list_daily_papers(date=DAYS[0], p=100)) == []
        assert len(list(hf.list_daily_papers(date=DAYS[0], limit=10))) == 10
