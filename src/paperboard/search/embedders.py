"""The embedder seam: text -> unit-length vectors. Models load from installed packages only, never from
the network.

``wordllama`` (default): the 256-d WordLlama ``l2_supercat`` token embeddings shipped inside the
``wordllama`` wheel, mean-pooled. Implemented here with unpadded batches (a gather and a segmented sum),
which gives WordLlama's own embeddings several times faster than its padded reference code.

``sentence-transformers:PATH_OR_NAME``: any sentence-transformers model available locally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class EmbedderError(RuntimeError):
    """The configured embedder cannot be loaded; the message says what to install or set."""


class Embedder(Protocol):
    name: str
    dim: int

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

    def __init__(self, *, max_tokens: int = 512, batch_size: int = 256):
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
        self.name = f"wordllama:{self.config}"
        self.dim = int(self._table.shape[1])
        self._batch = batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch):
            chunk = texts[start : start + self._batch]
            encodings = self._tokenizer.encode_batch(chunk, add_special_tokens=False)
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(chunk))
            if not lengths.any():
                continue
            ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
            np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
            rows = self._table[ids]
            nonempty = lengths > 0
            offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
            sums = np.add.reduceat(rows, offsets, axis=0)
            out[start : start + len(chunk)][nonempty] = sums / lengths[nonempty, None]
        return _normalise(out)


class SentenceTransformerEmbedder:
    def __init__(self, model: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError(
                "PAPERBOARD_EMBEDDER names a sentence-transformers model, but sentence-transformers is "
                "not installed (pip install sentence-transformers)"
            ) from None
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r} locally: {exc}") from None
        self.name = f"sentence-transformers:{model}"
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


def make_embedder(spec: str) -> Embedder:
    """``wordllama`` or ``sentence-transformers:PATH_OR_NAME``."""
    kind, _, arg = spec.partition(":")
    if kind == "wordllama":
        return WordLlamaEmbedder()
    if kind == "sentence-transformers" and arg:
        return SentenceTransformerEmbedder(arg)
    raise EmbedderError(f"unknown embedder {spec!r}: use wordllama or sentence-transformers:PATH_OR_NAME")
