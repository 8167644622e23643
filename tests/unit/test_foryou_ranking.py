"""For you's pure ranking: words and phrases, interests, the floor and the push, the interleaving."""

from hypothesis import given
from hypothesis import strategies as st

from paperboard.filter_rules import words_column
from paperboard.foryou.ranking import (
    FLOOR,
    PUSH,
    Liked,
    counts,
    floored,
    interests,
    interleave,
    pairs,
    phrases_worth_asking,
    tfidf,
    top_terms,
)

SPLAT = ["Gaussian splatting for dynamic scenes", "Faster Gaussian splatting with sparse voxels",
         "Relightable Gaussian splatting avatars"]
FED = ["Federated learning under client drift", "Private federated learning with secure aggregation"]


def _liked(title: str, abstract: str = "", how: str = "upvote") -> Liked:
    return Liked(title.lower().replace(" ", "-"), title, how, words_column((title, abstract)))


def _df(word: str) -> int:
    return {"the": 950, "for": 900, "with": 800, "learn": 300}.get(word, 5)


def _vectors(papers, phrases=frozenset()):
    return [tfidf(p.words, _df, 1000, phrases) for p in papers]


def test_words_leave_out_numbers_and_what_most_papers_say():
    vector = tfidf(words_column(("The 3 models for the splatting", "")), _df, 1000)
    assert set(vector) == {"model", "splat"}
    assert abs(sum(v * v for v in vector.values()) - 1) < 1e-9


def test_phrases_never_span_two_texts_and_count_only_when_asked():
    column = words_column(("code generation", "generation of tests"))
    assert pairs(column) == {"code generat": 1, "generat of": 1, "of test": 1}  # not "generat generat"
    assert "code generat" not in counts(column)
    assert counts(column, frozenset({"code generat"}))["code generat"] == 1


def test_phrases_worth_asking_are_shared_or_in_a_title():
    columns = [words_column((t, "we study code generation")) for t in ("Neural code repair", "Program synthesis")]
    asked = phrases_worth_asking(columns)
    assert {"code generat", "we studi", "neural code", "code repair", "program synthesi"} <= asked
    assert "studi code" in asked  # shared by both abstracts
    assert len(phrases_worth_asking(columns, limit=2)) == 2


def test_one_topic_is_one_interest_and_two_topics_are_two():
    splat = [_liked(t) for t in SPLAT]
    fed = [_liked(t) for t in FED]
    one = interests(splat, _vectors(splat))
    assert len(one) == 1 and one[0].weight == 3
    two = interests(splat + fed, _vectors(splat + fed))
    assert [sorted(p.title for p in i.papers) for i in two] == [sorted(SPLAT), sorted(FED)]
    assert "splat" in two[0].query and "feder" in two[1].query and "feder" not in two[0].query


def test_more_like_this_weighs_more_than_an_upvote():
    asked = [_liked(FED[0], how="more_like_this")]
    splat = [_liked(t) for t in SPLAT[:1]]
    groups = interests(asked + splat, _vectors(asked + splat))
    assert [g.weight for g in groups] == [1.5, 1.0]


def test_the_reason_names_the_nearest_liked_paper_and_how_it_was_liked():
    papers = [_liked(SPLAT[0]), _liked(SPLAT[1], how="save")]
    group = interests(papers, _vectors(papers))[0]
    near = tfidf(words_column(("Sparse voxels make splatting faster", "")), _df, 1000)
    assert group.reason_for(near) == f"similar to “{SPLAT[1]}” you saved"


def test_floor_skip_and_push():
    scored = [("a", 10.0), ("b", 6.0), ("c", 1.0), ("seen", 9.0)]
    assert floored(scored, 10.0, {}, {"seen"}) == [("a", 1.0), ("b", 0.6)]  # c is under the floor
    pushed = floored(scored, 10.0, {"a": 0.5}, set())
    assert pushed == [("seen", 0.9), ("b", 0.6), ("a", 1.0 - PUSH * 0.5)]
    assert "a" not in dict(floored(scored, 10.0, {"a": 0.9}, set()))  # pushed under the floor
    assert floored(scored, 0.0, {}, set()) == []
    assert all(share >= FLOOR for _, share in floored(scored, 30.0, {}, set()))


def test_interleaving_gives_turns_by_weight_and_never_repeats():
    a = [(f"a{i}", 1.0) for i in range(10)]
    b = [(f"b{i}", 1.0) for i in range(10)] + [("a0", 1.0)]
    out = interleave([a, b], [3.0, 2.0], 10)
    assert [p for _, p, _ in out].count("a0") == 1
    assert sum(1 for t, _, _ in out if t == 0) == 6 and sum(1 for t, _, _ in out if t == 1) == 4
    # an interest that runs out gives its turns to the others
    assert len(interleave([a[:2], b], [5.0, 1.0], 8)) == 8
    # and one that has nothing from the start takes no share: 4 to 1 stays 8 of 10 to 2 of 10
    turns = [t for t, _, _ in interleave([[], a, b[:10]], [5.0, 4.0, 1.0], 10)]
    assert turns.count(1) == 8 and turns.count(2) == 2


def test_an_interests_search_weighs_words_by_how_many_of_its_papers_have_them():
    # one word in all three papers, two words that only two of them repeat: the shared word leads
    vectors = [{"splat": 0.5, "feder": 0.8, "client": 0.8}, {"splat": 0.5, "feder": 0.8, "client": 0.8},
               {"splat": 0.9}]
    query = top_terms(vectors, [1.0, 1.0, 1.0])
    assert query["splat"] == max(query.values())
    assert abs(query["feder"] - 1.6 * 2 / 3) < 1e-9
    assert top_terms(vectors[:1], [1.0]) == vectors[0]  # one paper: its own words as they are
    assert len(top_terms(vectors, [1.0, 1.0, 1.0], limit=2)) == 2


@given(st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=8), min_size=1, max_size=4),
       st.lists(st.floats(0.1, 5), min_size=4, max_size=4), st.integers(0, 30))
def test_interleaving_keeps_each_rankings_order(rankings, weights, limit):
    ranked = [[(p, 1.0) for p in dict.fromkeys(r)] for r in rankings]
    out = interleave(ranked, weights[: len(ranked)], limit)
    ids = [p for _, p, _ in out]
    assert len(ids) == len(set(ids)) <= limit
    assert len(ids) == min(limit, len({p for r in ranked for p, _ in r}))
    for turn, ranking in enumerate(ranked):
        mine = [p for t, p, _ in out if t == turn]
        order = [p for p, _ in ranking]
        assert mine == sorted(mine, key=order.index)
