"""The completion prompt, built under a token budget and laid out for the KV cache.

Budget: prefix-heavy; the suffix gets at most `suffix_tokens`, cross-file snippets at most a
quarter, the text before the cursor the rest. Snippets come most important first and are kept
in that order while they fit; in the prompt they are one block per file, the most important
last, nearest the current file (where the model looks hardest), as files were laid out in
the model's repository-level training.

Layout (PSM): ``header <prefix> P <suffix> S <middle> M`` where M is the text from an anchor
line to the cursor. The anchor is the last line number that is a multiple of
`MIDDLE_STRIDE_LINES`, so while the user types, and presses Enter, only M grows: the prompt is
appended to and the model prefills just the new tokens, not the suffix after them. When the
anchor moves (every few lines) P and S are prefilled once again. The start of P moves in steps
of `PREFIX_STRIDE_LINES` for the same reason. Putting the first lines of the middle after the
middle marker is in the model's training distribution: it is a middle half generated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from genls.llm.fim import FimFormat, Snippet, prefix_only_header

PREFIX_STRIDE_LINES = 16
MIDDLE_STRIDE_LINES = 8
# Characters looked at per budgeted token before counting real tokens; generous on purpose.
_CHARS_PER_TOKEN_CEILING = 8


@dataclass(frozen=True)
class Prompt:
    text: str
    prefix: str  # the document text before the cursor that made it into the prompt (P + M)
    suffix: str  # the document text after the cursor that made it into the prompt
    middle: str  # the tail of `prefix` placed after the middle marker
    snippets: tuple[Snippet, ...]


def build_prompt(
    *,
    text: str,
    offset: int,
    path: str,
    comment: str,
    fim: FimFormat | None,
    count_tokens: Callable[[str], int],
    context_tokens: int,
    suffix_tokens: int,
    snippets: Sequence[Snippet] = (),
    middle_stride_lines: int = MIDDLE_STRIDE_LINES,
) -> Prompt:
    kept = _fit_snippets(snippets, count_tokens, context_tokens // 4)
    blocks = _one_block_per_file(kept[::-1])
    header = fim.header(path, blocks, comment) if fim else prefix_only_header(path, blocks, comment)
    header_tokens = count_tokens(header) if header else 0

    suffix = _take_suffix(text, offset, count_tokens, suffix_tokens) if fim else ""
    suffix_used = count_tokens(suffix) if suffix else 0
    prefix_budget = max(context_tokens - header_tokens - suffix_used, 16)
    before, middle = _take_prefix(text, offset, count_tokens, prefix_budget, middle_stride_lines)

    prompt = fim.build(header, before, suffix, middle) if fim else header + before + middle
    return Prompt(
        text=prompt, prefix=before + middle, suffix=suffix, middle=middle, snippets=tuple(blocks)
    )


def _fit_snippets(
    snippets: Sequence[Snippet], count_tokens: Callable[[str], int], budget: int
) -> list[Snippet]:
    kept, used = [], 0
    for snippet in snippets:
        cost = count_tokens(snippet.text) + count_tokens(snippet.path) + 2
        if used + cost > budget:
            continue
        kept.append(snippet)
        used += cost
    return kept


def _one_block_per_file(snippets: Sequence[Snippet]) -> list[Snippet]:
    """Snippets of one path joined into one, at the place of that path's last snippet."""
    texts: dict[str, list[str]] = {}
    for snippet in snippets:
        if snippet.text not in texts.setdefault(snippet.path, []):
            texts[snippet.path].append(snippet.text)
    last = {snippet.path: position for position, snippet in enumerate(snippets)}
    return [Snippet(path, "\n\n".join(texts[path])) for path in sorted(texts, key=last.get)]


def _take_suffix(text: str, offset: int, count_tokens: Callable[[str], int], budget: int) -> str:
    """Whole lines after the cursor while they fit; the cursor's own line rest always."""
    window = text[offset : offset + budget * _CHARS_PER_TOKEN_CEILING]
    lines = window.splitlines(keepends=True)
    if not lines:
        return ""
    taken, used = [], 0
    for line in lines:
        cost = count_tokens(line)
        if used + cost > budget:
            break
        taken.append(line)
        used += cost
    if not taken:  # one enormous line: cut by characters
        return lines[0][: budget * 2]
    return "".join(taken)


def _take_prefix(
    text: str,
    offset: int,
    count_tokens: Callable[[str], int],
    budget: int,
    middle_stride: int,
) -> tuple[str, str]:
    """(text before the anchor line, text from the anchor line to the cursor)."""
    window_start = max(0, offset - budget * _CHARS_PER_TOKEN_CEILING)
    lines = text[window_start:offset].splitlines(keepends=True)
    if not lines:
        return "", ""
    if text[offset - 1 : offset] == "\n":
        lines.append("")  # the cursor starts a new, empty line
    if window_start > 0 and text[window_start - 1] != "\n" and len(lines) > 1:
        lines = lines[1:]  # drop the partial first line
        window_start = offset - sum(len(line) for line in lines)
    first_line_number = text.count("\n", 0, window_start)

    # Walk back from the cursor to the earliest line that still fits the budget.
    used, start = 0, len(lines)
    for index in range(len(lines) - 1, -1, -1):
        cost = count_tokens(lines[index])
        if used + cost > budget:
            break
        used += cost
        start = index
    if start == len(lines):  # the cursor's line alone is too long: keep its tail
        return "", lines[-1][-budget * 2 :]
    if start > 0 or window_start > 0:
        # Not the whole file: snap the start forward to a stride boundary so it stays put.
        absolute = first_line_number + start
        snapped = -(-absolute // PREFIX_STRIDE_LINES) * PREFIX_STRIDE_LINES
        start = min(start + (snapped - absolute), len(lines) - 1)

    if middle_stride <= 0:  # plain PSM: everything before the cursor is the prefix
        return "".join(lines[start:]), ""
    cursor_line = first_line_number + len(lines) - 1
    anchor = cursor_line - cursor_line % middle_stride - first_line_number
    anchor = max(anchor, start)
    return "".join(lines[start:anchor]), "".join(lines[anchor:])
