"""How many papers have a word or a two-word phrase (For you's document frequencies), counted alone or
several phrases at once on threads, the same either way."""

from paperboard.models import Paper
from paperboard.search.lexical import LexicalIndex


def test_phrase_counts_are_the_same_alone_and_on_threads(tmp_path):
    titles = ["graph network pruning", "network graph pruning", "graph pruning network", "tiny graph network",
              "ocean waves", "graph network graph network"]
    index = LexicalIndex(tmp_path / "lexical")
    with index.writing() as writer:
        writer.add([Paper(id=f"2501.{i:05d}", title=t, abstract="") for i, t in enumerate(titles)], replace=False)
    phrases = ["graph network", "network graph", "graph prune", "prune network", "ocean wave", "tini graph"]
    together = index.doc_freqs([*phrases, "graph"])  # more than two: counted on threads
    assert together == {"graph network": 3, "network graph": 2, "graph prune": 2, "prune network": 1,
                        "ocean wave": 1, "tini graph": 1, "graph": 5}
    fresh = LexicalIndex(tmp_path / "lexical")
    assert {p: fresh.doc_freqs([p])[p] for p in phrases} == {p: together[p] for p in phrases}  # one at a time
