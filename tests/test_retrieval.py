"""Rank fusion and the per-file cap (pure functions)."""

from __future__ import annotations

import pytest

from genls.index.lexical import LexicalIndex, code_words
from genls.index.retrieval import RRF_K, cap_per_file, fuse_ranks


def test_items_ranked_well_by_both_lists_win():
    fused = fuse_ranks([[1, 2, 3], [3, 1, 4]])
    assert [item for item, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))


def test_weights_scale_a_rankings_votes():
    assert [item for item, _ in fuse_ranks([[1, 2], [2, 1]])] == [1, 2]  # a tie: lower id first
    assert [item for item, _ in fuse_ranks([[1, 2], [2, 1]], [1.0, 0.5])] == [1, 2]
    assert [item for item, _ in fuse_ranks([[1, 2], [2, 1]], [0.5, 1.0])] == [2, 1]
    with pytest.raises(ValueError):
        fuse_ranks([[1], [2]], [1.0])


def test_hits_are_capped_per_file_and_in_all():
    scored = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (4, 0.5)]
    files = ["a.py", "a.py", "a.py", "b.py", "c.py"]
    assert cap_per_file(scored, files.__getitem__, per_file=2, limit=10) == [
        (0, 0.9),
        (1, 0.8),
        (3, 0.6),
        (4, 0.5),
    ]
    assert cap_per_file(scored, files.__getitem__, per_file=1, limit=2) == [(0, 0.9), (3, 0.6)]


def test_code_words_split_identifiers_and_keep_them_whole():
    assert code_words("parseHTTPResponse_fast(x)") == [
        "parse",
        "http",
        "response",
        "fast",
        "parsehttpresponse_fast",
        "x",
    ]


def test_lexical_index_is_updated_file_by_file():
    lexical = LexicalIndex()
    lexical.set_file("shop.js", [code_words("function basketTotal(items) {}"), ["receipt"]])
    lexical.set_file("geo.py", [code_words("def circle_area(radius): return pi * radius")])
    assert [key for key, _ in lexical.search("basket total", 5)] == [("shop.js", 0)]
    assert [key for key, _ in lexical.search("circleArea", 5)] == [("geo.py", 0)]
    lexical.set_file("shop.js", [code_words("function cartTotal(items) {}")])
    assert lexical.search("basket", 5) == []
    lexical.remove_file("geo.py")
    assert lexical.search("radius", 5) == [] and lexical.search("", 5) == []
