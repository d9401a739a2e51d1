"""The prompt that asks a code model to rewrite the lines around the cursor, and its answer.

Layout: Qwen2.5-Coder's own repository format (`<|file_sep|>path` before each file, the one
the model was pretrained on), as Sweep's next-edit model uses it: related files first, then
the person's earlier edits as original/updated blocks, then the editable window as it was
before their last edit (`original/`), as it is now (`current/`), and the model writes
`updated/`. What changes least comes first, so the model's cache keeps the head of the prompt
from one request to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from genls.assist.edit_history import EditEvent, common_prefix_length
from genls.llm.fim import Snippet

FILE_SEPARATOR = "<|file_sep|>"
# Where the model's answer ends (the next file, or the end of the text).
STOPS = (FILE_SEPARATOR, "<|endoftext|>", "<|im_end|>", "<|fim_prefix|>", "<|repo_name|>")
EARLIER_EDITS = 4  # original/updated blocks of the edits before the last one
# Two lines the answer shares with the window, after its change, must say this much.
_SETTLE_CHARS = 12


@dataclass(frozen=True)
class EditWindow:
    """Whole lines around the cursor that the model may rewrite."""

    start: int  # character offsets into the document's text
    end: int
    first_line: int
    text: str  # text[start:end]
    at_file_start: bool
    at_file_end: bool


def edit_window(text: str, offset: int, lines_above: int, lines_below: int) -> EditWindow:
    cursor_line = text.count("\n", 0, offset)
    first_line = max(0, cursor_line - lines_above)
    starts = _line_starts(text)
    start = starts[first_line]
    last_line = min(len(starts) - 1, cursor_line + lines_below)
    end = starts[last_line + 1] if last_line + 1 < len(starts) else len(text)
    return EditWindow(
        start,
        end,
        first_line,
        text[start:end],
        at_file_start=first_line == 0,
        at_file_end=end == len(text),
    )


def window_before(event: EditEvent, window: EditWindow) -> str:
    """The window's lines as they were before `event` (whose `after` is the current text)."""
    start, end_before, end_after = event.changed_span()
    shift = end_before - end_after

    def to_before(offset: int) -> int:
        if offset <= start:
            return offset
        return max(start, offset + shift) if offset < end_after else offset + shift

    before = event.before
    first = before.rfind("\n", 0, to_before(window.start)) + 1
    last = to_before(window.end)
    if last < len(before) and window.end < len(event.after):
        newline = before.find("\n", max(first, last - 1))
        last = len(before) if newline < 0 else newline + 1
    return before[first:last]


def changed_lines(event: EditEvent) -> tuple[str, str]:
    """The whole lines the event changed: (as they were, as they became)."""
    start, end_before, end_after = event.changed_span()
    first = event.before.rfind("\n", 0, start) + 1

    def through_line_end(text: str, end: int) -> str:
        newline = text.find("\n", end)
        return text[first : len(text) if newline < 0 else newline + 1]

    return through_line_end(event.before, end_before), through_line_end(event.after, end_after)


def build_next_edit_prompt(
    *,
    path: str,
    text: str,
    window: EditWindow,
    original: str,
    events: Sequence[EditEvent],
    snippets: Sequence[Snippet],
    count_tokens: Callable[[str], int],
    context_tokens: int,
) -> str:
    """The prompt; `events` end with the person's last edit, whose result is `text`, and
    `original` is the window before it (window_before)."""
    # The last edit shows as the window before and now; made elsewhere (the window is around
    # a call of the function it changed), it is one more original/updated block.
    shown = (
        events[-1 - EARLIER_EDITS :] if original == window.text else events[-1 - EARLIER_EDITS : -1]
    )
    parts: list[str] = []
    for event in shown:
        before, after = changed_lines(event)
        parts.append(f"{FILE_SEPARATOR}{path}.diff\noriginal:\n{before}updated:\n{after}")
    parts.append(f"{FILE_SEPARATOR}original/{path}\n{_ended(original)}")
    parts.append(f"{FILE_SEPARATOR}current/{path}\n{_ended(window.text)}")
    parts.append(f"{FILE_SEPARATOR}updated/{path}\n")
    tail = "".join(parts)
    budget = context_tokens - count_tokens(tail)
    head = _context_files(path, text, window, snippets, count_tokens, budget)
    return head + tail


def answer_window(generated: str, window: EditWindow) -> str:
    """The model's updated window, with the window's own ending (newline or none)."""
    for stop in STOPS:
        generated = generated.split(stop, 1)[0]
    if window.text.endswith("\n") and not generated.endswith("\n"):
        generated += "\n"
    if not window.text.endswith("\n") and generated.endswith("\n"):
        generated = generated[:-1]
    return generated


def settled_answer(generated: str, current: str) -> str | None:
    """The whole updated window once the answer has made its change and copies the window
    again: after it departed from `current`, its last two complete lines are lines of
    `current` further on (and not trivial ones). The rest is then `current`'s, and decoding
    can stop. None while that is not yet so."""
    lines = generated.splitlines(keepends=True)
    if len(lines) < 3 or not lines[-1].endswith("\n"):
        return None
    departed = common_prefix_length(lines, current.splitlines(keepends=True))
    if departed >= len(lines) - 2:
        return None  # still copying (or departed within the last two lines)
    tail = lines[-2:]
    if len("".join(tail).strip()) < _SETTLE_CHARS:
        return None  # blank lines and lone brackets recur anywhere
    current_lines = current.splitlines(keepends=True)
    for index in range(departed, len(current_lines) - 1):
        if current_lines[index : index + 2] == tail:
            return "".join(lines) + "".join(current_lines[index + 2 :])
    return None


def _context_files(
    path: str,
    text: str,
    window: EditWindow,
    snippets: Sequence[Snippet],
    count_tokens: Callable[[str], int],
    budget: int,
) -> str:
    """Related snippets, then the current file's lines above the window, within `budget`."""
    chosen: list[str] = []
    for snippet in snippets:
        block = f"{FILE_SEPARATOR}{snippet.path}\n{_ended(snippet.text)}"
        cost = count_tokens(block)
        if cost > budget // 2:
            continue  # the file being edited matters more than any one snippet
        chosen.append(block)
        budget -= cost
    header = f"{FILE_SEPARATOR}{path}\n"
    budget -= count_tokens(header)
    above = text[: window.start].splitlines(keepends=True)
    kept: list[str] = []
    for line in reversed(above):
        cost = count_tokens(line)
        if cost > budget:
            break
        kept.append(line)
        budget -= cost
    if kept:
        chosen.append(header + "".join(reversed(kept)))
    return "".join(chosen)


def _ended(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts
