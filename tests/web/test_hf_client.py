"""The real huggingface_hub client (what `hf papers` uses) against a running Paperboard server."""

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
