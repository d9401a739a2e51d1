"""Reading what an instruction model answered: JSON objects and code, without the wrapping
small models like to add (code fences, a sentence before or after)."""

from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```[\w+-]*\n(.*?)```", re.DOTALL)


class ReplyError(ValueError):
    """The reply is not what was asked for; the message is fed back to the model once."""


def json_object(reply: str) -> dict:
    fenced = _FENCE.search(reply)
    text = fenced.group(1) if fenced else reply
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ReplyError("the reply has no JSON object")
    try:
        value = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ReplyError(f"the reply is not valid JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(value, dict):
        raise ReplyError("the reply is not a JSON object")
    return value


def code_block(reply: str) -> str:
    """The code of the reply: its one fenced block, or the whole reply when it has none."""
    blocks = _FENCE.findall(reply)
    if len(blocks) > 1:
        raise ReplyError("the reply has several code blocks; answer with exactly one")
    if blocks:
        return blocks[0]
    if reply.lstrip().startswith("```"):  # an unterminated fence: the reply was cut
        raise ReplyError("the reply's code block is not closed")
    return reply
