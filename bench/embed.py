"""Embedding throughput of the configured embedder (default wordllama) on real abstracts.

    .venv/bin/python bench/embed.py [--papers 20000]

Embeds title + abstract of the first N papers of the shared arXiv corpus, as indexing does, and, for
wordllama, the same texts with WordLlama's own reference implementation for comparison.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperboard.search.embedders import WordLlamaEmbedder
from synthetic import CORPUS


def texts(n: int) -> list[str]:
    out = []
    with gzip.open(CORPUS, "rb") as fh:
        for line in fh:
            record = orjson.loads(line)
            out.append(f"{record['title']}. {record['summary']}")
            if len(out) == n:
                break
    return out


def reference_embedder():  # type: ignore[no-untyped-def]
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as fh:
        table = fh.get_tensor("embedding.weight")
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    return WordLlamaInference(table, tokenizer)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=20_000)
    args = parser.parse_args()
    docs = texts(args.papers)
    ours = WordLlamaEmbedder()
    started = time.perf_counter()
    mine = ours.embed(docs)
    ours_rate = len(docs) / (time.perf_counter() - started)
    reference = reference_embedder()
    started = time.perf_counter()
    theirs = reference.embed(docs, norm=True)
    ref_rate = len(docs) / (time.perf_counter() - started)
    report = {
        "papers": len(docs),
        "paperboard_per_s": round(ours_rate),
        "wordllama_reference_per_s": round(ref_rate),
        "max_abs_difference": float(np.abs(mine - theirs).max()),
    }
    print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
