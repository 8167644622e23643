"""Search: lexical (BM25) and dense retrieval over titles, abstracts and authors, fused."""
