"""Values a person typed (settings, a command's options) checked against a dataclass's type
hints: names in camelCase (as editors write them) or snake_case, an unknown name or a value
of the wrong type an error that names it, so a typo never silently keeps a default."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from genls.errors import GenlsError

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list of strings",
    dict: "an object",
}


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def checked_values(
    raw: Mapping[str, Any],
    hints: Mapping[str, Any],
    what: str,
    error: type[GenlsError],
    *,
    name_known: bool = False,
) -> dict[str, Any]:
    """`raw` by snake_case name, each value of its hint's type (ints pass where floats are
    expected). Raises `error`: "unknown <what> 'x'" (listing the known names when
    `name_known`) or "<what> 'x' must be an integer, not str"."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = snake(key)
        if name not in hints:
            known = f"; known: {', '.join(camel(n) for n in hints)}" if name_known else ""
            raise error(f"unknown {what} {key!r}{known}")
        hint = hints[name]
        optional = type(None) in get_args(hint)
        if value is None and optional:
            out[name] = None
            continue
        expected = get_origin(hint) or hint
        if optional:
            expected = next(arg for arg in get_args(hint) if arg is not type(None))
            expected = get_origin(expected) or expected
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise error(
                f"{what} {key!r} must be {_TYPE_NAMES[expected]}, not {type(value).__name__}"
            )
        if expected is list and not all(isinstance(item, str) for item in value):
            raise error(f"{what} {key!r} must be a list of strings")
        out[name] = value
    return out
