"""Refactor with an instruction: the model rewrites a selection of whole statements, or the
enclosing function, and genls checks the result before offering it.

Checks: the file still parses with no new syntax errors (Python: compiles), every public
function of the region keeps its name and parameters unless the instruction asks for a
signature change, and something actually changed. A failed check is sent back to the model
once; a second failure is reported and the file is left as it was.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from genls.assist.doc_target import signatures
from genls.assist.edit_check import check_edited, first_error_line, line_edit
from genls.assist.model_reply import ReplyError, code_block
from genls.assist.text_edit import TextEdit, apply_edits
from genls.errors import GenlsError
from genls.index.symbols import ParsedSource
from genls.llm.instruction import InstructionModel

log = logging.getLogger(__name__)

_REGION_CHARS = 8000
_SIGNATURE_WORDS = re.compile(r"\b(renam\w*|signatures?|parameters?|arguments?|args)\b", re.I)
_SYSTEM = (
    "You are an expert {language} programmer. You rewrite code exactly as instructed and reply "
    "with only the rewritten code, in one fenced code block, with no explanation."
)
# Ready-made instructions, offered as code actions.
PRESETS = {
    "add type hints": "Add precise type hints to every parameter and return value. "
    "Change nothing else.",
    "simplify": "Simplify this code: remove redundancy and needless branches, use idiomatic "
    "constructs. Keep its behaviour exactly.",
}


class RefactorError(GenlsError):
    """No refactor was made; the message says why."""


@dataclass(frozen=True)
class RefactorEdit:
    edit: TextEdit
    attempts: int
    region: tuple[int, int]  # 0-based first and last line rewritten


def _never() -> bool:
    return False


class Refactorer:
    def __init__(self, model: InstructionModel) -> None:
        self.model = model

    def rewrite(
        self,
        source: ParsedSource,
        start_line: int,
        end_line: int,
        instruction: str,
        path: str,
        should_stop: Callable[[], bool] = _never,
    ) -> RefactorEdit:
        """Rewrite lines start_line..end_line (0-based, inclusive); an empty selection
        (start_line == end_line) means the function or class around it."""
        instruction = PRESETS.get(instruction.strip().lower(), instruction).strip()
        if not instruction:
            raise RefactorError("say what to do: the instruction is empty")
        text, language = source.text, source.language
        first, last = region_for(source, start_line, end_line)
        lines = text.splitlines(keepends=True)
        region = "".join(lines[first : last + 1])
        if len(region) > _REGION_CHARS:
            raise RefactorError(
                f"the selection is too long ({len(region)} characters, at most "
                f"{_REGION_CHARS}): select less"
            )
        indent = _common_indent(region)
        keep_signature = not _SIGNATURE_WORDS.search(instruction)
        before = signatures(ParsedSource(region, language)) if keep_signature else {}
        system = _SYSTEM.format(language=language.id)
        prompt = (
            f"Instruction: {instruction}\n\n"
            f"Rewrite this {language.id} code from {path}:\n"
            f"```{language.id}\n{textwrap.dedent(region)}```\n\n"
            "Keep the names and parameters of functions unless the instruction says otherwise. "
            "Reply with the complete rewritten code in one ```" + language.id + " block."
        )
        problem, error = "", ""
        for attempt in (1, 2):
            question = prompt if not problem else f"{prompt}\n\n{problem}"
            reply = self.model.ask(
                system, question, max_tokens=_reply_tokens(region), should_stop=should_stop
            )
            if should_stop():
                raise RefactorError("cancelled")
            try:
                new_region = _reindent(code_block(reply), indent)
                if new_region.strip() == region.strip():
                    raise ReplyError("the code is unchanged")
                if keep_signature:
                    _check_signatures(before, signatures(ParsedSource(new_region, language)))
                edit = line_edit(text, first, last + 1, new_region)
                problem_found = check_edited(source, apply_edits(text, [edit]), path)
                if problem_found:
                    raise ReplyError(problem_found)
                return RefactorEdit(edit, attempt, (first, last))
            except ReplyError as exc:
                log.info("refactor attempt %d rejected: %s", attempt, exc)
                error = str(exc)
                problem = (
                    f"Your previous reply was rejected: {exc}. "
                    "Reply again with only the corrected code block."
                )
        raise RefactorError(f"the model's rewrite failed its check twice: {error}")


def region_for(source: ParsedSource, start_line: int, end_line: int) -> tuple[int, int]:
    """The lines to rewrite: the selection if it is whole statements, else an error; an empty
    selection means the innermost function, method or class around it."""
    root = source.root
    if root is None:
        raise RefactorError(
            f"no tree-sitter grammar for {source.language.id}: refactoring needs one"
        )
    broken = first_error_line(root)
    if broken is not None:
        raise RefactorError(f"the file has a syntax error at line {broken + 1}: fix it first")
    if start_line == end_line:
        around = [
            d
            for d in source.symbols.definitions
            if d.kind in ("function", "method", "class")
            and d.start_line <= start_line <= d.end_line
        ]
        if not around:
            raise RefactorError(
                f"line {start_line + 1} is not inside a function or class: "
                "select the statements to rewrite"
            )
        innermost = max(around, key=lambda d: (d.start_line, -d.end_line))
        return innermost.start_line, innermost.end_line
    lines = source.text.split("\n")
    while start_line < end_line and not lines[start_line].strip():
        start_line += 1
    while end_line > start_line and not lines[end_line].strip():
        end_line -= 1
    if not _whole_statements(root, start_line, end_line):
        raise RefactorError(
            "the selection must be whole statements: select complete lines "
            "from the start of a statement to the end of one"
        )
    return start_line, end_line


def _whole_statements(root: Node, first: int, last: int) -> bool:
    """No node crosses the selection's edges: each starts and ends inside it, or encloses it."""
    stack = [root]
    while stack:
        node = stack.pop()
        start, end = node.start_point[0], _end_row(node)
        if end < first or start > last:
            continue
        inside_start, inside_end = first <= start <= last, first <= end <= last
        if inside_start != inside_end and not (start < first and end > last):
            return False
        if not (inside_start and inside_end):
            stack.extend(node.named_children)
    return True


def _end_row(node: Node) -> int:
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point[0] else row


def _check_signatures(
    before: dict[str, tuple[str, ...]], after: dict[str, tuple[str, ...]]
) -> None:
    for name, parameters in before.items():
        if name.startswith("_"):
            continue
        if name not in after:
            raise ReplyError(f"the public function {name} is gone; keep it")
        if after[name] != parameters:
            raise ReplyError(
                f"{name} must keep its parameters ({', '.join(parameters)}), "
                f"got ({', '.join(after[name])})"
            )


def _common_indent(region: str) -> str:
    lines = [line for line in region.split("\n") if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    return (
        first[: len(first) - len(first.lstrip())]
        if all(line.startswith(first[: len(first) - len(first.lstrip())]) for line in lines)
        else ""
    )


def _reindent(code: str, indent: str) -> str:
    code = textwrap.dedent(code.strip("\n"))
    return "".join((indent + line if line.strip() else "") + "\n" for line in code.split("\n"))


def _reply_tokens(region: str) -> int:
    """Room for a rewrite somewhat longer than the original (code is ~3.5 characters a token)."""
    return min(2048, max(256, int(len(region) / 3.5 * 1.6)))
