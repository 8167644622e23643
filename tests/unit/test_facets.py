"""Search facets and which class codes are arXiv's."""

from paperboard.ids import is_arxiv_category
from paperboard.search.facets import facets


def test_arxiv_categories_and_other_class_codes():
    for code in ("cs.LG", "hep-th", "cond-mat.stat-mech", "astro-ph.GA", "q-bio.NC", "physics.comp-ph", "eess.IV"):
        assert is_arxiv_category(code), code
    for code in ("68T45", "I.2.7", "68T05", "G.3", "F.2.2; I.2.7", "cs.LG extra", ""):
        assert not is_arxiv_category(code), code


def test_facets_count_the_results_and_leave_out_what_is_asked():
    cats = [["cs.CV", "cs.LG", "68T45"], ["cs.CV"], ["cs.CL", "I.2.7"], ["cs.CV", "cs.CV"]]
    days = ["2026-03-01", "2025-11-02", None, "2026-01-09"]
    found = facets(cats, days, "gaussian splatting")
    assert [(f.label, f.count, f.term) for f in found["Category"]] == [
        ("cs.CV", 3, "category:cs.CV"), ("cs.LG", 1, "category:cs.LG"), ("cs.CL", 1, "category:cs.CL")]
    assert [(f.label, f.count, f.term) for f in found["Year"]] == [
        ("2026", 2, "since:2026 until:2026"), ("2025", 1, "since:2025 until:2025")]
    narrowed = facets(cats, days, "splatting Category:CS.CV since:2026 until:2026")
    assert "cs.CV" not in [f.label for f in narrowed["Category"]]
    assert [f.label for f in narrowed["Year"]] == ["2025"]
