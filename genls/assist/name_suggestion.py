"""Suggest a better name: the model proposes one name for a definition, with a reason; the
rename itself is the deterministic one (genls.assist.rename), so every reference changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from genls.assist.model_reply import ReplyError, json_object
from genls.errors import GenlsError
from genls.llm.instruction import InstructionModel

_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_SYSTEM = (
    "You are an expert {language} programmer who names things precisely and idiomatically. "
    "Reply with one JSON object and nothing else."
)


class NameSuggestionError(GenlsError):
    """No usable name came back; the message says why."""


@dataclass(frozen=True)
class NameSuggestion:
    name: str
    reason: str


def suggest_name(
    model: InstructionModel,
    name: str,
    code: str,
    language: str,
    should_stop: Callable[[], bool] = lambda: False,
) -> NameSuggestion:
    prompt = (
        f"Suggest a clearer name for `{name}` in this {language} code, following the "
        f"language's naming conventions and the style of the name it replaces.\n\n"
        f"```{language}\n{code[:6000]}\n```\n\n"
        'Reply with JSON: {"name": "<the new name>", "reason": "<one short sentence>"}'
    )
    problem, error = "", ""
    for _ in (1, 2):
        reply = model.ask(
            _SYSTEM.format(language=language),
            f"{prompt}\n\n{problem}" if problem else prompt,
            max_tokens=80,
            should_stop=should_stop,
        )
        try:
            value = json_object(reply)
            new = str(value.get("name", "")).strip().strip("`")
            if not _NAME.fullmatch(new):
                raise ReplyError(f'"name" must be one identifier, got {new!r}')
            if new == name:
                raise ReplyError(f"the name must differ from {name}")
            return NameSuggestion(new, " ".join(str(value.get("reason", "")).split()))
        except ReplyError as exc:
            error = str(exc)
            problem = f"Your previous reply was rejected: {exc}. Reply again with only the JSON."
    raise NameSuggestionError(f"the model suggested no usable name: {error}")
