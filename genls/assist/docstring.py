"""Generate docstring / Update docstring: the model writes the sentences, genls does the rest.

The model is asked for a JSON object (summary, one description per parameter, returns, raises)
about one definition, with its callers and the signatures of what it calls as context. Every
other part is deterministic: which parameters exist (the signature), where the block goes and
how it is indented (the tree), and its layout (genls.assist.doc_styles). A reply that misses a
parameter or is not JSON is sent back once with the reason; a second failure is reported and
nothing is edited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from genls.assist.doc_styles import (
    PYTHON_STYLES,
    DocContent,
    DocFacts,
    documented_parameters,
    render,
)
from genls.assist.doc_target import DocTarget, find_targets, target_at
from genls.assist.edit_check import check_edited, line_edit
from genls.assist.model_reply import ReplyError, json_object
from genls.assist.text_edit import TextEdit, apply_edits
from genls.errors import GenlsError
from genls.index.languages import LanguageInfo
from genls.index.symbols import ParsedSource
from genls.llm.instruction import InstructionModel

log = logging.getLogger(__name__)

_CODE_CHARS = 6000  # the definition shown to the model (about 1,500 tokens)
_REPLY_TOKENS = 400
_SYSTEM = (
    "You are an expert {language} programmer who writes precise, concise API documentation. "
    "Reply with one JSON object and nothing else."
)


class DocstringError(GenlsError):
    """No documentation was written; the message says why."""


@dataclass(frozen=True)
class DocEdit:
    name: str
    edit: TextEdit
    attempts: int
    updated: bool  # replaced documentation that was there


# Extra context for the prompt: callers and callees from the workspace index, if there is one.
ContextFor = Callable[[DocTarget], str]


def _no_context(target: DocTarget) -> str:
    return ""


def _never() -> bool:
    return False


class DocstringWriter:
    def __init__(
        self,
        model: InstructionModel,
        *,
        python_style: str = "google",
        line_width: int = 88,
        context: ContextFor = _no_context,
    ) -> None:
        if python_style not in PYTHON_STYLES:
            raise DocstringError(f"unknown docstring style {python_style!r}: {PYTHON_STYLES}")
        self.model = model
        self.python_style = python_style
        self.line_width = line_width
        self.context = context

    def style_for(self, language: LanguageInfo) -> str:
        assert language.doc_style is not None  # doc_target refuses other languages
        return self.python_style if language.doc_style == "python" else language.doc_style

    def document(
        self,
        source: ParsedSource,
        line: int,
        path: str,
        should_stop: Callable[[], bool] = _never,
    ) -> DocEdit:
        """Documentation for the definition around `line`, checked, as one edit."""
        return self._write(source, target_at(source, line), path, should_stop)

    def missing(self, source: ParsedSource) -> list[DocTarget]:
        """Definitions without documentation, in source order."""
        return [t for t in find_targets(source) if t.existing is None]

    def outdated(self, target: DocTarget) -> bool:
        """Documentation that lists parameters other than the signature's."""
        if target.existing_text is None:
            return False
        documented = documented_parameters(self.style_for(target.language), target.existing_text)
        return documented is not None and set(documented) != set(target.parameters)

    def document_all(
        self,
        source: ParsedSource,
        path: str,
        should_stop: Callable[[], bool] = _never,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> tuple[list[DocEdit], list[str]]:
        """Edits for every undocumented definition, and why the others failed."""
        targets = self.missing(source)
        edits, failures = [], []
        for done, target in enumerate(targets):
            if should_stop():
                break
            if on_progress:
                on_progress(done, len(targets), target.name)
            try:
                edits.append(self._write(source, target, path, should_stop))
            except DocstringError as exc:
                failures.append(f"{target.name}: {exc}")
        return edits, failures

    # -- one definition ---------------------------------------------------------------------

    def _write(
        self, source: ParsedSource, target: DocTarget, path: str, should_stop: Callable[[], bool]
    ) -> DocEdit:
        text = source.text
        style = self.style_for(target.language)
        prompt = self._prompt(target, style)
        system = _SYSTEM.format(language=target.language.id)
        problem, error = "", ""
        for attempt in (1, 2):
            question = prompt if not problem else f"{prompt}\n\n{problem}"
            reply = self.model.ask(
                system, question, max_tokens=_REPLY_TOKENS, should_stop=should_stop
            )
            if should_stop():
                raise DocstringError("cancelled")
            try:
                content = _content(reply, target)
                edit = self._edit(text, target, content, style)
                broken = check_edited(source, apply_edits(text, [edit]), path)
                if broken:
                    raise ReplyError(broken)
                return DocEdit(target.name, edit, attempt, updated=target.existing is not None)
            except ReplyError as exc:
                log.info("docstring for %s, attempt %d rejected: %s", target.name, attempt, exc)
                error = str(exc)
                problem = (
                    f"Your previous reply was rejected: {exc}. "
                    "Reply again with only the corrected JSON object."
                )
        raise DocstringError(
            f"the model's documentation for {target.name} failed its check twice: {error}"
        )

    def _edit(self, text: str, target: DocTarget, content: DocContent, style: str) -> TextEdit:
        facts = DocFacts(
            name=target.name,
            kind=target.definition.kind,
            yields=target.returns == "yields",
            return_type=target.return_type,
        )
        block = render(style, content, facts, target.indent, self.line_width)
        too_long = [line for line in block.split("\n") if len(line) > self.line_width]
        if too_long:
            raise ReplyError(f"a line is longer than {self.line_width} characters: {too_long[0]}")
        documented = documented_parameters(style, block)
        if documented is not None and set(documented) != set(target.parameters):
            raise ReplyError(
                f"the documentation names {documented}, the signature {list(target.parameters)}"
            )
        if target.existing is not None:
            first, last = target.existing
            return line_edit(text, first, last + 1, block)
        return line_edit(text, target.insert_line, target.insert_line, block)

    def _prompt(self, target: DocTarget, style: str) -> str:
        kind = target.definition.kind
        code = target.code if len(target.code) <= _CODE_CHARS else target.code[:_CODE_CHARS]
        shape: dict[str, str] = {"summary": "...", "details": "..."}
        rules = [
            "- summary: one sentence, at most 80 characters, ending with a period"
            + (
                f', starting with "{target.name}"'
                if style == "godoc"
                else ' (imperative mood for functions: "Return ...", "Parse ...")'
            ),
            '- details: "" unless the behaviour needs more explanation (at most two sentences)',
        ]
        if target.parameters:
            shape["params"] = "{" + ", ".join(f'"{p}": "..."' for p in target.parameters) + "}"
            rules.append(
                "- params: exactly these keys: "
                + ", ".join(target.parameters)
                + "; say what each one means or is used for"
            )
        if target.returns:
            shape["returns"] = "..."
            rules.append(f"- returns: what the {kind} {target.returns}")
        if target.raises:
            shape["raises"] = "{" + ", ".join(f'"{r}": "..."' for r in target.raises) + "}"
            rules.append(
                "- raises: exactly these keys: "
                + ", ".join(target.raises)
                + "; say when each one is raised"
            )
        fields = ", ".join(
            f'"{k}": {v}' if v.startswith("{") else f'"{k}": "{v}"' for k, v in shape.items()
        )
        context = self.context(target)
        parts = [
            f"Document this {target.language.id} {kind}, `{target.name}`.",
            f"```{target.language.id}\n{code}\n```",
        ]
        if context:
            parts.append(f"Context from the workspace:\n{context}")
        if target.existing_text:
            parts.append(
                f"Its current documentation (keep what is still true):\n{target.existing_text}"
            )
        parts.append(
            "Reply with a JSON object of this shape:\n{" + fields + "}\n" + "\n".join(rules)
        )
        return "\n\n".join(parts)


def _content(reply: str, target: DocTarget) -> DocContent:
    """The reply as DocContent, or ReplyError naming what is missing."""
    value = json_object(reply)
    summary = value.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise ReplyError('the "summary" is missing or empty')
    if "```" in summary or "\n\n" in summary.strip():
        raise ReplyError('the "summary" must be one sentence of prose')
    params = value.get("params") or {}
    if not isinstance(params, dict):
        raise ReplyError('"params" must be an object mapping each parameter to its description')
    missing = [p for p in target.parameters if not _text(params.get(p))]
    if missing:
        raise ReplyError(f"no description for parameter(s) {', '.join(missing)}")
    invented = [p for p in params if p not in target.parameters]
    if invented:
        log.info("dropping invented parameters %s of %s", invented, target.name)
    returns = _text(value.get("returns")) if target.returns else ""
    if target.returns and not returns:
        raise ReplyError(f'"returns" must say what {target.name} {target.returns}')
    raises = value.get("raises") or {}
    raised = (
        {name: _text(raises.get(name)) for name in target.raises}
        if isinstance(raises, dict)
        else dict.fromkeys(target.raises, "")
    )
    unexplained = [name for name, text in raised.items() if not text]
    if unexplained:
        raise ReplyError(f'"raises" must say when {", ".join(unexplained)} is raised')
    return DocContent(
        summary=_sentence(summary),
        details=_text(value.get("details")),
        params={p: _sentence(_text(params[p])) for p in target.parameters},
        returns=_sentence(returns) if returns else "",
        raises={name: _sentence(text) for name, text in raised.items()},
    )


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _sentence(text: str) -> str:
    """Capitalised (unless it opens with a code name) and ending with a full stop."""
    text = " ".join(text.split())
    first = text.split(" ", 1)[0]
    if "_" not in first and "`" not in first:
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "`")) else text + "."
