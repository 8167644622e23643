"""Suggested topics: k-means over unit vectors, and names from the keywords that set a cluster apart."""

import numpy as np

from paperboard.foryou.suggest import FEWEST, clusters, kmeans


def _blobs(sizes, dim=16, seed=1):
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for c, n in enumerate(sizes):
        centre = np.zeros(dim)
        centre[c] = 1.0
        block = centre + 0.15 * rng.standard_normal((n, dim))
        rows.append(block / np.linalg.norm(block, axis=1, keepdims=True))
        truth += [c] * n
    return np.vstack(rows).astype(np.float32), np.array(truth)


def test_kmeans_finds_well_separated_groups_and_is_repeatable():
    matrix, truth = _blobs([40, 30, 20, 10])
    labels = kmeans(matrix, 4)
    for c in range(4):  # every true group lands in one cluster of its own
        assert len(set(labels[truth == c])) == 1
    assert len(set(labels)) == 4
    assert np.array_equal(labels, kmeans(matrix, 4))
    assert set(kmeans(matrix[:3], 10)) <= {0, 1, 2}  # never more clusters than rows


def test_clusters_are_named_by_what_sets_them_apart_and_never_offer_one_topic_twice():
    matrix, truth = _blobs([200, 160, 160, 120])
    ids = [f"p{i}" for i in range(len(truth))]
    names = {0: ["gaussian splatting", "novel view synthesis"], 1: ["federated learning", "privacy"],
             2: ["federated learning", "client drift"], 3: ["protein folding"]}
    keywords = {pid: [*names[c], "deep learning"] for pid, c in zip(ids, truth, strict=True)}
    found = clusters(ids, matrix, keywords)
    assert [s.size for s in found] == sorted((s.size for s in found), reverse=True)
    queries = [s.query for s in found]
    assert len(queries) == 4 and len(set(queries)) == 4
    assert {'"protein folding"', '"client drift"', '"privacy"'} <= set(queries)
    assert queries[0] in ('"gaussian splatting"', '"novel view synthesis"')  # the largest cluster first
    # in every cluster, or in half of them: not what sets one apart
    assert all("deep learning" not in s.label and "federated learning" not in s.label for s in found)
    assert all(s.papers and len(s.papers) <= 5 for s in found)
    assert clusters(ids[: FEWEST * 2 - 1], matrix[: FEWEST * 2 - 1], keywords) == []
