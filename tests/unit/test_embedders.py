"""The bundled embedder loads offline from the wordllama wheel and reproduces WordLlama's own output."""

from pathlib import Path

import numpy as np
import pytest

from paperboard.search.embedders import EmbedderError, WordLlamaEmbedder, make_embedder

TEXTS = ["Grokking: generalization beyond overfitting on small algorithmic datasets.",
         "The reversal curse: LLMs trained on 'A is B' fail to learn 'B is A'.", "", "x"]


@pytest.fixture(scope="module")
def embedder():
    return WordLlamaEmbedder()


def test_vectors_are_unit_length_and_deterministic(embedder):
    v = embedder.embed(TEXTS)
    assert v.shape == (4, 256) and v.dtype == np.float32
    norms = np.linalg.norm(v, axis=1)
    assert np.allclose(norms[[0, 1, 3]], 1.0, atol=1e-5) and norms[2] == 0.0  # empty text: zero vector
    assert np.array_equal(v, embedder.embed(TEXTS))
    assert float(v[0] @ v[1]) < float(v[1] @ embedder.embed(["reversal curse in language models"])[0])


def test_equals_wordllamas_reference_implementation(embedder):
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as fh:
        table = fh.get_tensor("embedding.weight")
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    reference = WordLlamaInference(table, tokenizer).embed(TEXTS[:2], norm=True)
    assert np.allclose(embedder.embed(TEXTS[:2]), reference, atol=1e-5)


def test_unknown_or_missing_embedders_say_what_to_do():
    with pytest.raises(EmbedderError, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match="sentence-transformers"):
        make_embedder("sentence-transformers:/nonexistent/model")
