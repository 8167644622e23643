import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperboard.ids import InvalidId, canonical_id, normalize_title, parse_arxiv_id, title_id


@pytest.mark.parametrize(
    ("text", "expected", "version"),
    [
        ("2401.00001", "2401.00001", None),
        ("2401.00001v3", "2401.00001", 3),
        ("arXiv:2401.00001v2", "2401.00001", 2),
        ("  ARXIV: 2401.00001 ", "2401.00001", None),
        ("https://arxiv.org/abs/2401.00001v2", "2401.00001", 2),
        ("http://arxiv.org/pdf/2401.00001v1.pdf", "2401.00001", 1),
        ("arxiv.org/abs/2401.00001/", "2401.00001", None),
        ("https://www.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("math.GT/0309136", "math.GT/0309136", None),
        ("1707.08567", "1707.08567", None),
        ("0704.0001", "0704.0001", None),
    ],
)
def test_parse_arxiv_id_accepts_common_spellings(text, expected, version):
    parsed = parse_arxiv_id(text)
    assert (parsed.id, parsed.version) == (expected, version)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not an arXiv id"),
        ("0808.05394", "before 2015 have 4 digits"),
        ("2401.0001", "from 2015 on have 5 digits"),
        ("2401.00001v0", "versions start at v1"),
        ("", "not an arXiv id"),
        ("2401.00001; DROP TABLE papers", "not an arXiv id"),
    ],
)
def test_parse_arxiv_id_explains_rejections(text, reason):
    with pytest.raises(InvalidId, match=reason):
        parse_arxiv_id(text)


def test_canonical_id_keeps_namespaced_dump_ids():
    assert canonical_id("scifact:4983").id == "scifact:4983"
    assert canonical_id("scifact:4983").is_arxiv is False
    assert canonical_id("arXiv:2401.00001v2").id == "2401.00001"
    with pytest.raises(InvalidId):
        canonical_id("not an id at all")


def test_title_ids_are_stable_and_ignore_case_accents_and_spacing():
    a = title_id("Attention Is All You Need")
    assert a == title_id("  attention is all   you need ")
    assert a == title_id("Attention is all you need.")
    assert a.startswith("title:")
    assert title_id("Café au lait") == title_id("Cafe au Lait")
    assert title_id("Attention Is All You Need") != title_id("Attention Is Not All You Need")
    with pytest.raises(InvalidId):
        title_id("  !! ")


def test_normalize_title_strips_tex_commands():
    assert normalize_title(r"The \emph{Reversal} Curse") == "the reversal curse"


@given(st.text(max_size=80))
def test_normalize_title_is_idempotent(text):
    once = normalize_title(text)
    assert normalize_title(once) == once
