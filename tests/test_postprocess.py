"""Golden cases for each post-processing filter, then the whole chain."""

import math
from dataclasses import replace

import pytest

from genls.assist.postprocess import (
    FilterContext,
    balance_brackets,
    cut_at_special_tokens,
    cut_where_unsure,
    drop_blank,
    drop_repeated_next_line,
    drop_suffix_overlap,
    limit_scope,
    match_bracket_spacing,
    nothing_more_shown,
    postprocess,
    trim_trailing_whitespace,
    without_typed_whitespace,
)


def ctx(prefix="", suffix="", multiline=False, indent="", opens_block=False, max_lines=12):
    return FilterContext(
        prefix=prefix,
        suffix=suffix,
        multiline=multiline,
        indent=indent,
        opens_block=opens_block,
        max_lines=max_lines,
        special_tokens=("<|endoftext|>", "<|file_sep|>"),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("return x<|endoftext|>garbage", "return x"),
        ("a<|file_sep|>b.py\n", "a"),
        ("plain", "plain"),
    ],
)
def test_cut_at_special_tokens(raw, expected):
    assert cut_at_special_tokens(raw, ctx()) == expected


def test_single_line_keeps_first_line():
    assert limit_scope("foo(1)\nbar()", ctx()) == "foo(1)"


def test_multiline_stops_when_leaving_the_block():
    raw = "    total = 0\n    for x in xs:\n        total += x\n    return total\n\ndef other():"
    assert limit_scope(raw, ctx(multiline=True, indent="    ")) == (
        "    total = 0\n    for x in xs:\n        total += x\n    return total\n"
    )


def test_block_opener_stops_at_sibling_indentation():
    raw = "\n    return a + b\ndef mul(a, b):\n    return a * b"
    result = limit_scope(raw, ctx(multiline=True, indent="", opens_block=True))
    assert result == "\n    return a + b"


def test_multiline_respects_max_lines():
    raw = "\n".join(f"x{i} = {i}" for i in range(20))
    assert limit_scope(raw, ctx(multiline=True, max_lines=3)).count("\n") == 2


@pytest.mark.parametrize(
    ("raw", "multiline", "ended"),
    [
        ("foo(1", False, False),
        ("foo(1)\n", False, True),  # one line wanted, and it is complete
        ("    total = 0\n    for x in xs:\n", True, False),
        ("    total = 0\n  ", True, False),  # the next line's indent is not known yet
        ("    return total\n\nde", True, True),  # a line outside the block has begun
    ],
)
def test_nothing_more_shown_once_a_line_leaves_the_scope(raw, multiline, ended):
    context = ctx(multiline=multiline, indent="    ")
    assert nothing_more_shown(raw, context) is ended
    if ended:  # stopping here shows what the whole generation would have shown
        assert limit_scope(raw + "more\n    text", context) == limit_scope(raw, context)


def test_nothing_more_shown_after_an_unlikely_token():
    sure, unsure = math.log(0.9), math.log(0.1)
    context = replace(ctx(), min_token_probability=0.5, token_logprobs=((6, sure), (9, sure)))
    assert not nothing_more_shown("return x *", context)
    context = replace(context, token_logprobs=((6, sure), (9, unsure)))
    assert nothing_more_shown("return x *", context)  # cut to "return"
    assert nothing_more_shown("r", replace(context, token_logprobs=((1, unsure),)))  # all of it


@pytest.mark.parametrize(
    ("prefix", "raw", "expected"),
    [
        ("    x = f(", " a, b)", "a, b)"),
        ("    x = f(", " ls.workspace, uri )", "ls.workspace, uri)"),
        ("    x = items[", " i ]", "i]"),
        ("    x = f(a", ", g( b ) )", ", g( b))"),  # only spaces before closers, at the cursor
        ("    x = f(", ' "( a )")', '"( a )")'),  # inside a string: as written
        ("    x = f(", "\n        a,\n    )", "\n        a,\n    )"),  # a closer on its own line
        ("const { a } = f(", " b )", "b)"),
        ("    y = g( c )\n    x = f(", " a )", " a )"),  # the file spaces its brackets
        ("    const { a, b } = obj\n    x = ", "{ c }", "{ c }"),  # braces are left alone
    ],
)
def test_match_bracket_spacing(prefix, raw, expected):
    assert match_bracket_spacing(raw, ctx(prefix=prefix)) == expected


@pytest.mark.parametrize(
    ("raw", "suffix", "expected"),
    [
        ("b, c)", ")", "b, c"),  # the closing bracket is already there
        ('name"]', '"]\nnext()', "name"),
        ("x + 1", ")", "x + 1"),  # nothing to drop
        ("value) + 2", ") + 2", "value"),  # the whole rest of the line
    ],
)
def test_drop_suffix_overlap_on_the_line(raw, suffix, expected):
    assert drop_suffix_overlap(raw, ctx(suffix=suffix)) == expected


def test_drop_suffix_overlap_stops_before_repeating_next_lines():
    raw = "    y = 2\n    return x + y\n"
    suffix = "\n    return x + y\n"
    assert drop_suffix_overlap(raw, ctx(suffix=suffix, multiline=True)) == "    y = 2"


@pytest.mark.parametrize(
    ("prefix", "suffix", "raw", "expected"),
    [
        # On an opened line, writing the next line again would duplicate it.
        ("def f():\n    ", "\n    return total\n", "return total", ""),
        ("def f():\n    ret", "\n\n    return total\n", "urn total", ""),
        ("def f():\n    ", "\n    return total\n", "return total\nx", ""),
        # Another line, or a cursor with text after it on its line, keeps the suggestion.
        ("def f():\n    ", "\n    return total\n", "total = 1", "total = 1"),
        ("def f():\n    ", ")\n    return total\n", "return total", "return total"),
        ("def f():\n    ", "", "return total", "return total"),
        # Short or punctuation-only lines may come twice; other indentation is another line.
        ("    if a:\n        ", "\n        break\n", "break", "break"),
        ("  }\n  ", "\n  }\n", "}", "}"),
        ("def f():\n    ", "\n        return total\n", "return total", "return total"),
        # A suggestion that starts on the next line writes nothing here.
        ("    return total", "\n    return total\n", "\n    x = 1", "\n    x = 1"),
    ],
)
def test_drop_repeated_next_line(prefix, suffix, raw, expected):
    assert drop_repeated_next_line(raw, ctx(prefix=prefix, suffix=suffix)) == expected


# "total = area(w, h)" as four tokens: "total", " =", " area(", "w, h)".
_TOKENS = ((5, 0.9), (7, 0.95), (13, 0.6), (18, 0.2))


@pytest.mark.parametrize(
    ("tokens", "minimum", "expected"),
    [
        (_TOKENS, 0.5, "total = area("),  # the guessed arguments go
        (_TOKENS, 0.1, "total = area(w, h)"),
        (_TOKENS, 0.92, ""),  # the very first token is a guess: nothing is shown
        (_TOKENS, 0.0, "total = area(w, h)"),  # off
        ((), 0.5, "total = area(w, h)"),  # a backend without probabilities
        (((-2, 0.01), (5, 0.9), (18, 0.2)), 0.5, "total"),  # held-back whitespace: not judged
    ],
)
def test_cut_where_unsure(tokens, minimum, expected):
    logprobs = tuple((end, math.log(p)) for end, p in tokens)
    context = FilterContext(
        "", "", False, "", False, 12, token_logprobs=logprobs, min_token_probability=minimum
    )
    assert cut_where_unsure("total = area(w, h)", context) == expected


@pytest.mark.parametrize(
    ("prefix", "suffix", "raw", "expected"),
    [
        ("print(foo(", ")", "x))", "x)"),  # the suffix closes the outer call
        ("print(foo(", "", "x))", "x))"),
        ("x = ", "", "compute(a)) + 1", "compute(a)"),  # a stray closer ends it
        ("items = [", "", "1, 2, 3]", "1, 2, 3]"),
        ("f(", "", "a, [b)", "a, [b"),  # mismatched closer
        ("s = ", "", "')' + x", "')' + x"),  # brackets in strings do not count
    ],
)
def test_balance_brackets(prefix, suffix, raw, expected):
    assert balance_brackets(raw, ctx(prefix=prefix, suffix=suffix)) == expected


def test_trim_trailing_whitespace():
    assert trim_trailing_whitespace("a = 1   \n  b = 2 \n\n", ctx()) == "a = 1\n  b = 2"


@pytest.mark.parametrize("raw", ["", "   ", "\n\n", "\t \n"])
def test_drop_blank(raw):
    assert drop_blank(raw, ctx()) == ""


def test_chain_cleans_a_realistic_answer():
    raw = "(a, b))   \nprint('done')<|endoftext|>"
    result = postprocess(raw, ctx(prefix="result = add", suffix=")\n"))
    assert result == "(a, b)"


def test_chain_drops_whitespace_only_answers():
    assert postprocess("   \n  ", ctx(multiline=True)) == ""


@pytest.mark.parametrize(
    ("raw", "typed", "expected"),
    [
        ("    return x", "    ", "return x"),  # the model wrote the held-back indent
        ("  return x", "    ", "return x"),  # another indent: the user's stays
        ("return x", "    ", "return x"),
        ("    return x", "", "    return x"),  # nothing was held back
        ("    x = 1\n    y = 2", "    ", "x = 1\n    y = 2"),
    ],
)
def test_without_typed_whitespace(raw, typed, expected):
    assert without_typed_whitespace(raw, typed) == expected
