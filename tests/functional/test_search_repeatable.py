"""The same papers indexed again give the same answers in the same order, ties included: two app
machines that each build their index from one database agree, and so does a rebuild. (The BM25 index
had two writer threads, which shared the papers out as they were scheduled: equal scores then came out
in an order that changed from build to build, and a digest's picks with them.)"""

from pathlib import Path

from paperboard.models import Paper
from paperboard.search.lexical import LexicalIndex
from tests.web.data import corpus_records


def _build(folder: Path, papers: list[Paper]) -> LexicalIndex:
    index = LexicalIndex(folder)
    with index.writing() as writer:
        for start in range(0, len(papers), 500):
            writer.add(papers[start:start + 500], replace=False)
    return index


def test_indexing_the_same_papers_again_ranks_them_the_same_ties_included(tmp_path):
    papers = [Paper(id=r["id"], title=r["title"], abstract=r["summary"]) for r in corpus_records(4000)]
    queries = ("diffusion", "language models", "graph", "reinforcement learning robot")
    answers = []
    for build in range(4):
        index = _build(tmp_path / f"build{build}", papers)
        answers.append([index.search(q, limit=200) for q in queries])
    first = answers[0]
    scores = [score for hits in first for _, score in hits]
    assert len(scores) > len(set(scores)) + 100  # many ties, so their order is tested
    assert all(later == first for later in answers[1:])
