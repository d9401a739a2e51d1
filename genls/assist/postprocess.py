"""Post-processing of raw model output: small filters, each tested on its own (golden cases).

Each filter takes the text and what is known about the cursor, and returns the text to keep;
an empty string drops the suggestion. They run in the order of FILTERS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}
# How much of the prefix is scanned for unclosed brackets.
_BRACKET_SCAN_CHARS = 2_000
# A suggestion repeating a line shorter than this (`pass`, `break;`) may be meant.
_REPEAT_MIN_CHARS = 8
# `( x` or `x )` outside the cursor's line: the file's style puts spaces inside brackets.
_SPACED_BRACKETS = re.compile(r"[(\[] [^\s#]|[^\s,] [)\]]")


@dataclass(frozen=True)
class FilterContext:
    prefix: str  # document text before the cursor (a tail of it is enough)
    suffix: str  # document text after the cursor (a head of it is enough)
    multiline: bool
    indent: str  # leading whitespace of the cursor's line
    opens_block: bool  # the cursor line ends with a block opener (":" or "{")
    max_lines: int
    special_tokens: tuple[str, ...] = ()
    # (end offset in the text, log-probability) per generated token; empty where the backend
    # gives none (then nothing is cut for being unsure).
    token_logprobs: tuple[tuple[int, float], ...] = ()
    min_token_probability: float = 0.0

    @property
    def suffix_line(self) -> str:
        """The rest of the cursor's line."""
        return self.suffix.split("\n", 1)[0]


Filter = Callable[[str, FilterContext], str]


def answer_of(
    generated: str, typed: str, token_logprobs: Sequence[tuple[int, float]]
) -> tuple[str, tuple[tuple[int, float], ...]]:
    """What the filters see of a generation: its text without the whitespace the person
    typed (without_typed_whitespace), and its tokens' end offsets moved back with it."""
    text = without_typed_whitespace(generated, typed)
    shift = len(generated) - len(text)
    return text, tuple((end - shift, logprob) for end, logprob in token_logprobs)


def without_typed_whitespace(raw: str, typed: str) -> str:
    """Raw output of a prompt whose trailing spaces were held back, minus those spaces.

    Tokenizers fold indentation into the next word's token (" return"), so a prompt ending in
    spaces leads models astray: genls sends the prompt without them, and removes them here
    from the start of the answer (all leading spaces, if the model chose another indent).
    """
    if not typed:
        return raw
    if raw.startswith(typed):
        return raw[len(typed) :]
    return raw.lstrip(" \t")


def cut_where_unsure(text: str, ctx: FilterContext) -> str:
    """Only what the model was sure of: the text before its first unlikely token.

    A suggestion helps only if all of it is right, so a guessed tail makes the right start
    before it worthless; and a suggestion that starts with a guess is not shown at all.
    """
    if ctx.min_token_probability <= 0:
        return text
    floor = math.log(ctx.min_token_probability)
    start = 0
    for end, logprob in ctx.token_logprobs:
        if end <= 0:
            continue  # whitespace the person typed, held back from the prompt
        if logprob < floor:
            return text[:start]
        start = end
    return text


def cut_at_special_tokens(text: str, ctx: FilterContext) -> str:
    """End-of-text and FIM markers that leaked into the text end the suggestion."""
    positions = [i for token in ctx.special_tokens if token and (i := text.find(token)) >= 0]
    return text[: min(positions)] if positions else text


def limit_scope(text: str, ctx: FilterContext) -> str:
    """One line where the syntax asks for one; otherwise stay inside the cursor's block."""
    lines = text.split("\n")
    if not ctx.multiline:
        return lines[0]
    kept = [lines[0]]
    base = len(ctx.indent)
    for line in lines[1 : ctx.max_lines]:
        if line.strip():
            indent = len(line) - len(line.lstrip())
            leaves_block = indent <= base if ctx.opens_block else indent < base
            if leaves_block:
                break
        kept.append(line)
    return "\n".join(kept)


def nothing_more_shown(text: str, ctx: FilterContext) -> bool:
    """Whether the filters already cut `text`, a generation still running, before its end (a
    complete line outside the scope, an unlikely token): nothing generated after it could be
    shown, so generating may stop."""
    return len(limit_scope(text, ctx)) < len(text) or len(cut_where_unsure(text, ctx)) < len(text)


def match_bracket_spacing(text: str, ctx: FilterContext) -> str:
    """No spaces just inside round and square brackets (`f( a )`) unless the file writes them.

    Small models put a space after an opening bracket at the cursor (their word tokens start
    with one), then one before the closing bracket. Braces are left alone (`{ a }` is common).
    """
    if _SPACED_BRACKETS.search(ctx.prefix[-_BRACKET_SCAN_CHARS:]):
        return text
    if ctx.prefix.endswith(("(", "[")):
        text = text.lstrip(" ")
    pieces, start = [], 0
    for index, ch in _brackets_outside_quotes(text):
        line_before = text[:index].rsplit("\n", 1)[-1]
        if ch in ")]" and line_before.endswith(" ") and line_before.strip():
            pieces.append(text[start:index].rstrip(" "))
            start = index
    return "".join(pieces) + text[start:]


def drop_suffix_overlap(text: str, ctx: FilterContext) -> str:
    """Drop what the document already has after the cursor.

    On the cursor's line: the rest of the line, or a run of closing brackets it starts with.
    Across lines: the suggestion stops where it starts repeating the next non-blank line.
    """
    rest = ctx.suffix_line.rstrip()
    first, newline, tail = text.partition("\n")
    if rest:
        if first.endswith(rest):
            first = first[: len(first) - len(rest)]
        else:
            for size in range(len(rest), 0, -1):
                head = rest[:size]
                if all(ch in CLOSERS or ch in "\"'`;," for ch in head) and first.endswith(head):
                    first = first[: len(first) - size]
                    break
    text = first + newline + tail
    following = [line.strip() for line in ctx.suffix.split("\n")[1:] if line.strip()]
    if ctx.multiline and following:
        lines = text.split("\n")
        for index in range(1, len(lines)):
            if lines[index].strip() == following[0]:
                return "\n".join(lines[:index])
    return text


def drop_repeated_next_line(text: str, ctx: FilterContext) -> str:
    """On a line of its own, a suggestion that writes the next line again would duplicate it.

    Only lines that say something (a closing `}` or `pass` may well come twice) and only the
    same line, indentation included.
    """
    first = text.split("\n", 1)[0]
    if ctx.suffix_line.strip() or not first.strip():
        return text
    following = next((line for line in ctx.suffix.split("\n")[1:] if line.strip()), "")
    line = (ctx.prefix.rsplit("\n", 1)[-1] + first).rstrip()
    says_something = len(line.strip()) >= _REPEAT_MIN_CHARS and any(c.isalnum() for c in line)
    return "" if says_something and line == following.rstrip() else text


def balance_brackets(text: str, ctx: FilterContext) -> str:
    """Cut at the first closing bracket that closes nothing open.

    The suggestion may close brackets opened before the cursor, except those that closing
    brackets right after the cursor already close.
    """
    open_before = _unclosed_brackets(ctx.prefix[-_BRACKET_SCAN_CHARS:])
    closed_after = 0
    for ch in ctx.suffix_line.lstrip():
        if ch not in CLOSERS:
            break
        closed_after += 1
    closable = open_before[closed_after:] if closed_after else open_before
    own: list[str] = []
    for index, ch in _brackets_outside_quotes(text):
        if ch in OPENERS:
            own.append(ch)
        elif own:
            if own[-1] != CLOSERS[ch]:
                return text[:index].rstrip()
            own.pop()
        elif closable and closable[-1] == CLOSERS[ch]:
            closable.pop()
        else:
            return text[:index].rstrip()
    return text


def trim_trailing_whitespace(text: str, ctx: FilterContext) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def drop_blank(text: str, ctx: FilterContext) -> str:
    return text if text.strip() else ""


FILTERS: tuple[Filter, ...] = (
    cut_where_unsure,
    cut_at_special_tokens,
    limit_scope,
    match_bracket_spacing,
    drop_repeated_next_line,
    drop_suffix_overlap,
    balance_brackets,
    trim_trailing_whitespace,
    drop_blank,
)


def postprocess(text: str, ctx: FilterContext) -> str:
    for step in FILTERS:
        text = step(text, ctx)
        if not text:
            return ""
    return text


def _brackets_outside_quotes(code: str) -> Iterator[tuple[int, str]]:
    """(index, bracket) for each bracket not inside a quote; quotes end at the end of a line."""
    quote: str | None = None
    for index, ch in enumerate(code):
        if ch == "\n":
            quote = None
        elif quote:
            quote = None if ch == quote else quote
        elif ch in "\"'`":
            quote = ch
        elif ch in OPENERS or ch in CLOSERS:
            yield index, ch


def _unclosed_brackets(code: str) -> list[str]:
    """Openers still open at the end of `code`, outermost first."""
    stack: list[str] = []
    for _, ch in _brackets_outside_quotes(code):
        if ch in OPENERS:
            stack.append(ch)
        elif stack and stack[-1] == CLOSERS[ch]:
            stack.pop()
    return stack
