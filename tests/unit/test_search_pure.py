"""Pure parts of search: query parsing, fusion, typo correction, metrics, snippets."""

import pytest

from paperboard.search.evaluate import ndcg_at, recall_at, reciprocal_rank
from paperboard.search.excerpts import excerpt, matching_words
from paperboard.search.hybrid import best_correction, damerau_levenshtein, dense_weight, fuse
from paperboard.search.query import MAX_QUERY_CHARS, QueryError, lexical_text, parse_query


def test_plain_words_and_phrases():
    q = parse_query('  "knowledge distillation" for small LMs ')
    assert q.phrases == ("knowledge distillation",)
    assert q.words == ("knowledge", "distillation", "for", "small", "LMs")
    assert q.text == "knowledge distillation for small LMs"


def test_field_terms_are_taken_out_of_the_text():
    q = parse_query('grokking author:"Neel Nanda" category:cs.LG cat:stat.ML')
    assert q.words == ("grokking",) and q.authors == ("Neel Nanda",)
    assert q.categories == ("cs.LG", "stat.ML")


@pytest.mark.parametrize("raw", ["2401.00001", "arXiv:2401.00001v2", "https://arxiv.org/abs/2401.00001"])
def test_an_arxiv_id_goes_straight_to_the_paper(raw):
    assert parse_query(raw).arxiv_id == "2401.00001"


def test_operators_and_injection_stay_plain_words():
    q = parse_query('title:foo AND (bar OR "baz) -qux* \'; DROP TABLE papers; --')
    text = lexical_text(q)
    assert all(op not in text.split() for op in ("AND", "OR", "NOT"))
    for ch in "():*-;'":
        assert ch not in text.replace('"', "")


def test_empty_huge_and_binary_queries():
    assert parse_query("   ").empty and parse_query('"" ::').empty
    long = parse_query("a" * 5000)
    assert len(long.text) <= MAX_QUERY_CHARS and long.notes
    with pytest.raises(QueryError, match="400 words, more than the 64"):  # of the first 2,000 characters
        parse_query("word " * 5000)
    assert len(parse_query("word " * 64).words) == 64
    with pytest.raises(QueryError, match="65 words"):
        parse_query('word ' * 60 + '"one two three four five"')  # a phrase's words count too
    with pytest.raises(QueryError, match="NUL"):
        parse_query("a\x00b")


def test_fusion_rewards_agreement_and_keeps_both_sides():
    lexical = [("a", 10.0), ("b", 8.0), ("c", 1.0)]
    dense = {"a": 0.2, "b": 0.9, "c": 0.1, "d": 0.95}
    ranked = [pid for pid, _ in fuse(lexical, dense, weight=0.5)]
    assert ranked[0] == "b" and set(ranked) == {"a", "b", "c", "d"}
    assert [pid for pid, _ in fuse(lexical, dense, weight=0.0)][:3] == ["a", "b", "c"]
    assert fuse(lexical, dense, weight=1.0)[0][0] == "d"
    assert fuse([], {}, weight=0.5) == []


def test_dense_weight_grows_for_sentence_like_queries_up_to_a_cap():
    keywords = dense_weight(["sparse", "mixture", "experts"])
    sentence = dense_weight(["model", "trained", "on", "A", "is", "B", "cannot", "answer", "B", "is", "A"])
    assert keywords == 0.25 and keywords < sentence <= 0.6
    assert dense_weight(["the", "of", "a"]) == 0.6 and dense_weight([]) == 0.25


def test_single_quotes_make_phrases_but_apostrophes_do_not():
    q = parse_query("model trained on 'A is B' cannot answer 'B is A'")
    assert q.phrases == ("A is B", "B is A")
    assert parse_query("don't stop the models' outputs").phrases == ()


def test_typo_correction():
    assert damerau_levenshtein("grokk", "grok", 2) == 1
    assert damerau_levenshtein("teh", "the", 1) == 1  # a transposition counts once
    assert damerau_levenshtein("abcdef", "uvwxyz", 2) == 3
    candidates = [("knowledg", 900), ("knowledgebas", 3), ("know", 2000)]
    assert best_correction("knowleg", candidates) == "knowledg"
    assert best_correction("zzzz", candidates) is None


def test_a_known_word_is_corrected_only_to_a_far_more_frequent_one():
    candidates = [("diffus", 4000), ("difus", 3), ("model", 20000), ("modl", 2), ("till", 2)]
    assert best_correction("difus", candidates, freq=3) == "diffus"  # a stray spelling in the corpus
    assert best_correction("modl", candidates, freq=2) == "model"
    assert best_correction("diffus", candidates, freq=4000) is None  # the frequent word itself
    assert best_correction("difus", [("diffus", 100)], freq=3) is None  # 33 times as frequent is not enough
    assert best_correction("titl", candidates) is None  # an unknown word is not turned into a stray one
    # a known word two edits from a frequent one is a term of its own, not a misspelling of it
    assert best_correction("cytidin", [("cytokin", 229)], freq=2) is None
    assert best_correction("cytidin", [("cytokin", 229)]) == "cytokin"  # unknown: two edits may be a typo


def test_metrics():
    relevant = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "x"], relevant) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], relevant) == 0.0
    assert recall_at(["x", "b"], relevant) == 0.5
    assert reciprocal_rank(["x", "y", "b"], relevant) == pytest.approx(1 / 3)


def test_highlights_mark_whole_content_words_and_escape_markup():
    from paperboard.search.lexical import LexicalIndex
    from paperboard.web.render import highlight

    text = "We study <script>alert(1)</script> grokking for performance: Models, a model and modelling."
    words = matching_words(text, ["grokking", "for", "models", "the"], LexicalIndex.stem)
    assert words == ["grokking", "models", "model", "modelling"]  # by stem; never a function word
    out = str(highlight(text, words))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark>grokking</mark>" in out and "<mark>Models</mark>" in out and "<mark>modelling</mark>" in out
    assert "per<mark>" not in out and "<mark>for</mark>" not in out  # whole words only
    assert str(highlight("a < b", [])) == "a &lt; b"


def test_excerpts_are_plain_text_cut_at_word_boundaries():
    text = ("Background words come first here. " * 12) + "Then grokking appears in the middle. " + ("Tail. " * 40)
    cut = excerpt(text, ["grokking"], width=120)
    assert "grokking" in cut and cut.startswith("…") and cut.endswith("…")
    inner = cut.strip("…")
    assert text.find(inner) >= 0 and text[text.find(inner) - 1] == " "  # starts at a word
    after = text.find(inner) + len(inner)
    assert text[after] in " ." or text[after - 1] == "."  # ends at one
    assert excerpt("Short text.", ["x"]) == "Short text."
    assert excerpt("word " * 100, [], width=50).endswith("…") and not excerpt("word " * 100, [], 50).startswith("…")


def test_diversify_prefers_a_new_idea_over_a_repeat():
    import numpy as np

    from paperboard.search.hybrid import diversify

    a = np.array([1.0, 0.0, 0.0])
    twin = np.array([0.999, 0.045, 0.0])
    other = np.array([0.0, 1.0, 0.0])
    vectors = np.stack([a, twin, other])
    assert diversify([0.90, 0.89, 0.80], vectors, 3) == [0, 2, 1]  # the twin waits its turn
    assert diversify([0.90, 0.89, 0.80], vectors, 3, trade_off=1.0) == [0, 1, 2]  # pure relevance
    assert diversify([0.5], vectors[:1], 5) == [0] and diversify([], vectors[:0], 3) == []


def test_passages_are_overlapping_windows_of_two_sentences():
    from paperboard.search.documents import passages, sentences

    abstract = "We study X. It fails (badly) on Y! Why? 3 fixes follow. e.g. more data helps"
    assert sentences(abstract) == ["We study X.", "It fails (badly) on Y!", "Why?", "3 fixes follow. e.g. more data helps"]
    assert passages(abstract) == ["We study X. It fails (badly) on Y!", "It fails (badly) on Y! Why?",
                                  "Why? 3 fixes follow. e.g. more data helps"]
    assert passages("One sentence only.") == ["One sentence only."]
    assert passages("First one. Second one.") == ["First one. Second one."]
    assert passages("") == [] and passages("   ") == []


def test_recency_boost_favours_fresh_papers_and_fades():
    from paperboard.search.hybrid import recency_boost

    assert recency_boost(1.0, 0) == 2.0 and recency_boost(1.0, 180) == pytest.approx(1.5)
    assert recency_boost(1.0, 3650) == pytest.approx(1.0, abs=1e-5) and recency_boost(0.7, None) == 0.7
    assert recency_boost(0.6, 10) > recency_boost(0.7, 2000)  # a fresh, slightly less relevant paper wins
    assert recency_boost(1.0, -5) == 2.0  # a date in the future counts as today


def test_a_wide_correction_needs_the_first_three_letters_and_corrected_stems_search_text_only():
    from paperboard.search.query import parse_query
    from paperboard.search.service import _lexical_query

    assert best_correction("career", [("cancer", 9000)]) is None  # two letters apart, from "car" to "can"
    assert best_correction("grokkng", [("grokk", 50)]) == "grokk"  # two apart, the same first three
    query = parse_query("difusion modles")
    text = _lexical_query(query, ("diffus", "model"), {"difusion": "diffus", "modles": "model"})
    assert text == "text:diffus text:model"  # a stem as a word would also match an author called Model
    assert _lexical_query(parse_query("graph networks"), ("graph", "networks"), {}) == "graph networks"


def test_the_filter_language_reads_fields_exclusions_alternatives_and_dates():
    import datetime as dt

    q = parse_query('"gaussian splatting" category:cs.CV -category:cs.LG -survey -"neural radiance"')
    assert q.phrases == ("gaussian splatting",) and q.words == ("gaussian", "splatting")
    assert q.require == ((("category", "cs.CV"),),)
    assert q.exclude == (("category", "cs.LG"), ("word", "survey"), ("phrase", "neural radiance"))
    q = parse_query("author:Hinton OR author:LeCun has:code cat:cs.lg category:stat.ML")
    assert q.require == ((("author", "Hinton"), ("author", "LeCun")), (("has", "code"),),
                         (("category", "cs.LG"), ("category", "stat.ML")))  # categories: any of them
    assert parse_query("author:A author:B").require == ((("author", "A"),), (("author", "B"),))  # both
    q = parse_query("since:2025-02 until:2025")
    assert (q.since, q.until) == (dt.date(2025, 2, 1), dt.date(2025, 12, 31)) and not q.empty
    assert parse_query("until:2024-02").until == dt.date(2024, 2, 29)
    # OR between words, hyphens inside words and a dash alone are plain text
    q = parse_query("state-of-the-art OR zero-shot - x")
    assert q.exclude == () and q.words == ("state-of-the-art", "OR", "zero-shot", "x")
    assert parse_query("-has:code").exclude == (("has", "code"),) and parse_query("-has:code").filtered


def test_a_number_after_a_dash_is_text_not_an_exclusion():
    q = parse_query("Differentiated E2f-1, -2, -3 TKO cells -apoptosis")
    assert q.exclude == (("word", "apoptosis"),)
    assert "2" in q.words and "3" in q.words


def test_milvus_is_asked_the_stems_of_words_and_phrases_without_function_words():
    from paperboard.search.milvus import query_terms

    query = parse_query('the Transformers for "language models"')
    # a phrase's words count twice, as words and as the phrase (the embedded index's phrase query weighs
    # them so too)
    assert query_terms(query, query.words) == "transform languag model languag model"
    only = parse_query("the of and")
    assert query_terms(only, only.words) == "the of and"  # nothing else left: the function words are it
    assert query_terms(parse_query('"A is B"'), ()) == "b"  # a phrase of the commonest words is no phrase


def test_a_milvus_row_holds_stems_its_filter_fields_and_never_more_than_a_varchar():
    import datetime as dt

    import numpy as np

    from paperboard.models import Author, Paper
    from paperboard.search.milvus import TEXT_BYTES, row

    paper = Paper(id="2501.00001", title="Diffusion Models", abstract="Denoising images. " + "é" * 70_000,
                  authors=(Author("Ada Lovelace"),), categories=("cs.LG", "cs.CV"), listed=dt.date(2025, 1, 2))
    found = row(paper, np.ones(4, np.float32))
    assert found["terms"].startswith("diffus model denois imag")
    assert len(found["terms"].encode()) <= TEXT_BYTES and len(found["words"].encode()) <= TEXT_BYTES
    assert found["day"] == 20250102 and found["categories"] == ["cs.LG", "cs.CV"] and found["dense"] == [1.0] * 4
    assert "lovelace" in found["names"] and "lovelace" not in found["terms"]  # names are a filter, not BM25


def test_a_site_set_to_milvus_without_pymilvus_says_what_to_install(monkeypatch):
    import sys

    from paperboard.errors import Unavailable
    from paperboard.search.milvus import MilvusSearch

    monkeypatch.setitem(sys.modules, "pymilvus", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "pymilvus.exceptions", None)
    with pytest.raises(Unavailable, match=r"pip install 'paperboard\[milvus\]'"):
        MilvusSearch("http://127.0.0.1:9").indexed()
