"""The offline gist (pure): the sentence that says what a paper does, and the phrases it is about."""

from __future__ import annotations

import json

import pytest

from paperboard.gist import MAX_SUMMARY, first_sentence, frequent_phrases, gist, keywords, summarize
from tests.conftest import SEED, require

TITLE = "Sparse Mixture Routers for Streaming Speech Recognition"
ABSTRACT = (
    "Large language models have recently shown remarkable abilities across many tasks. "
    "However, streaming speech recognition on small devices remains difficult. "
    "To address this, we propose sparse mixture routers, a routing layer that sends each audio frame "
    "to two of sixteen experts for streaming speech recognition. "
    "Experiments on LibriSpeech show a 12% lower word error rate than dense baselines. "
    "Code is available at https://github.com/example/routers."
)


def test_the_summary_is_the_sentence_that_states_the_contribution_without_its_lead_in():
    assert summarize(TITLE, ABSTRACT) == (
        "We propose sparse mixture routers, a routing layer that sends each audio frame to two of "
        "sixteen experts for streaming speech recognition.")
    # the baseline it is measured against takes the background sentence
    assert first_sentence(ABSTRACT).startswith("Large language models have recently")


def test_background_results_and_pointers_to_code_lose_to_the_contribution_wherever_it_is():
    for order in ([0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 1, 4, 3]):
        parts = [
            "Recent work has shown that speech models are large.",
            "Experiments show that the routers cut the word error rate by 12% on LibriSpeech.",
            "This paper introduces sparse mixture routers for streaming speech recognition on small devices.",
            "The code is available at https://example.org/routers for everyone.",
            "Despite progress, streaming recognition on phones remains slow and costly.",
        ]
        abstract = " ".join(parts[i] for i in order)
        assert summarize(TITLE, abstract).startswith("This paper introduces sparse mixture routers")


def test_a_long_sentence_is_cut_at_a_clause_within_the_limit_and_an_empty_abstract_has_none():
    head = ("We propose a routing layer for streaming speech recognition that sends every audio frame to "
            "two of sixteen experts chosen by a learned gate over the frame and its neighbours")
    long = head + ", which " + "keeps the latency low and the accuracy high on every device we tried " * 8 + "."
    cut = summarize(TITLE, long)
    assert cut == head + "…"  # cut before the clause, which keeps more than half of the limit
    no_clause = "We propose " + "a routing layer that keeps latency low " * 12 + "."
    cut = summarize(TITLE, no_clause)
    assert len(cut) <= MAX_SUMMARY and cut.endswith("…")
    assert no_clause.startswith(cut[:-1]) and no_clause[len(cut) - 1] == " "  # at a word's end
    assert summarize(TITLE, "") is None and summarize(TITLE, "   ") is None
    assert summarize(TITLE, "$x$ . 12 .") is None or len(summarize(TITLE, "$x$ . 12 .")) <= MAX_SUMMARY
    assert gist(TITLE, "").keywords == keywords(TITLE, "")  # the title alone still has phrases


def test_keywords_are_three_to_eight_phrases_from_the_paper_led_by_the_titles():
    found = keywords(TITLE, ABSTRACT)
    assert 3 <= len(found) <= 8
    assert found[0] in ("sparse mixture routers", "streaming speech recognition")
    assert {"sparse mixture routers", "streaming speech recognition"} <= set(found)
    text = f"{TITLE} {ABSTRACT}".lower()
    assert all(k.lower() in text for k in found)  # phrases of the paper, as written
    # no function word, verb of abstracts, number or generic noun stands alone
    assert not {"we", "propose", "show", "results", "method", "two", "12", "experiments"} & set(found)
    # no phrase repeats one already taken
    assert len({frozenset(k.split()) for k in found}) == len(found)
    assert all(not (a != b and a in b) for a in found for b in found)


def test_keywords_keep_acronyms_lower_case_the_rest_and_leave_tex_out():
    found = keywords("LLM Routing with BERTScore Rewards",
                     r"We study LLM routing with $\mathcal{O}(n)$ cost and {\em BERTScore} rewards. "
                     r"LLM routing picks a model per query; BERTScore rewards grade each answer.")
    assert "LLM routing" in found and "BERTScore rewards" in found
    assert not any("mathcal" in k or "{" in k or "$" in k for k in found)


@pytest.mark.parametrize("text", ["", " ", "\x00", "$$", "a" * 5000, "é" * 300 + ".", "((((", "1. 2. 3."])
def test_any_text_gives_a_gist_within_its_bounds(text):
    g = gist(text, text)
    assert g.summary is None or 0 < len(g.summary) <= MAX_SUMMARY
    assert len(g.keywords) <= 8 and all(k.strip() for k in g.keywords)


def test_on_real_abstracts_every_gist_is_within_bounds_and_mostly_differs_from_the_baselines():
    rows = [json.loads(line) for line in require(SEED).read_text().splitlines()[:200]]
    differs = 0
    for r in rows:
        g = gist(r["title"], r["summary"])
        assert g.summary and len(g.summary) <= MAX_SUMMARY
        assert 3 <= len(g.keywords) <= 8
        differs += g.keywords != frequent_phrases(r["title"], r["summary"])[: len(g.keywords)]
    assert differs > 150
