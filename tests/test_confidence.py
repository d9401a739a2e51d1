"""How sure the model was of a suggestion's first line, from its tokens' log-probabilities."""

import math

import pytest

from genls.assist.confidence import first_line_confidence


def test_the_first_line_is_the_geometric_mean_of_its_tokens():
    # "x = 1" in two tokens, then a second line the person reads later.
    tokens = [(3, math.log(0.9)), (5, math.log(0.4)), (6, math.log(0.01)), (12, math.log(0.01))]
    assert first_line_confidence("x = 1\nprint", tokens) == pytest.approx(0.6)


def test_leading_blank_lines_are_skipped():
    tokens = [(1, math.log(0.01)), (7, math.log(0.8))]  # "\n", then "    go"
    assert first_line_confidence("\n    go", tokens) == pytest.approx(0.8)


def test_no_probabilities_no_confidence():
    assert first_line_confidence("x = 1", []) is None
    assert first_line_confidence("", [(0, 0.0)]) is None
