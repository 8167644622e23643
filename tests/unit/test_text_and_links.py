import datetime as dt

import pytest

from paperboard.links import extract_links, find_urls
from paperboard.text import DateError, clean_abstract, clean_line, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-18", (dt.date(2025, 3, 18), None)),
        ("2024-01-02T16:07:14.000Z", (dt.date(2024, 1, 2), None)),
        ("Jul 11, 2022", (dt.date(2022, 7, 11), None)),
        ("11 Jul 2022", (dt.date(2022, 7, 11), None)),
        ("September 3, 2021", (dt.date(2021, 9, 3), None)),
        ("Aug 28", (None, "Aug 28")),  # no year: kept as printed, never guessed
        (None, (None, None)),
        ("", (None, None)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "Foo 12, 2020", "Feb 30, 2021", 20250101])
def test_parse_date_rejects_with_reason(value):
    with pytest.raises(DateError):
        parse_date(value)


def test_clean_abstract_unwraps_lines_but_keeps_paragraphs():
    raw = "  First line\nwraps here.\n  Second paragraph\nalso wraps.\n\nThird."
    assert clean_abstract(raw) == "First line wraps here.\n\nSecond paragraph also wraps.\n\nThird."
    assert clean_abstract(clean_abstract(raw)) == clean_abstract(raw)
    assert clean_line(" a\n  b\tc ") == "a b c"


def test_links_from_comments_and_abstracts():
    links = extract_links(
        "2401.00001",
        "ECCV 2026. Project page: https://example.org/proj/. Code: github.com/x/y",
        "We release code at https://github.com/owner/repo.git (see also https://doi.org/10.1/x).",
    )
    assert links == {
        "abs": "https://arxiv.org/abs/2401.00001",
        "pdf": "https://arxiv.org/pdf/2401.00001",
        "project": "https://example.org/proj/",
        "code": "https://github.com/owner/repo",
    }
    assert extract_links("scifact:1", None, "no links here") == {}


def test_find_urls_drops_sentence_punctuation_but_keeps_balanced_parentheses():
    text = "See https://en.wikipedia.org/wiki/Foo_(bar). Or (https://gitlab.com/a/b)."
    assert find_urls(text) == ["https://en.wikipedia.org/wiki/Foo_(bar)", "https://gitlab.com/a/b"]


def test_hugging_face_links_a_demo_or_model_as_the_project_but_never_the_papers_own_page():
    links = extract_links("2501.00001", "Paper page: https://huggingface.co/papers/2501.00001. "
                          "Demo: https://huggingface.co/spaces/lab/demo", "Weights: https://huggingface.co/lab/model")
    assert links["project"] == "https://huggingface.co/spaces/lab/demo" and "code" not in links
    assert "project" not in extract_links("2501.00001", "https://huggingface.co/papers/2501.00001", None)
