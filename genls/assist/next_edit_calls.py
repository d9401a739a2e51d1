"""The next place to change after a function's parameters changed: its calls.

When the person's last edit added or removed a parameter of a function definition, every
call of that function in the file that still passes the old number of arguments must change.
The syntax tree finds them, with no model; what the call should pass is the model's to write
(genls.assist.next_edit rewrites the lines around the call).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from genls.assist.edit_history import EditEvent
from genls.assist.next_edit_rename import nodes_of_types
from genls.index.symbols import ParsedSource

# Node types of a call, and the field naming what is called, across the bundled grammars.
_CALLS = {"call": "function", "call_expression": "function", "method_invocation": "name"}
_COMMENT_WORDS = ("comment",)


@dataclass(frozen=True)
class ChangedSignature:
    name: str
    parameters: int  # how many the definition has now


def changed_signature(event: EditEvent, now: ParsedSource) -> ChangedSignature | None:
    """The function whose parameter list the event changed the length of, if any; `now` is
    the text after the event."""
    assert now.text == event.after
    earlier = ParsedSource(event.before, now.language)
    if now.root is None or earlier.root is None:
        return None
    start, _, _ = event.changed_span()
    after = _definition_at(now.root, event.after, start)
    before = _definition_at(earlier.root, event.before, start)
    if after is None or before is None or after[0] != before[0] or after[1] == before[1]:
        return None
    return ChangedSignature(after[0], after[1])


def calls_to_update(source: ParsedSource, signature: ChangedSignature) -> list[int]:
    """Offsets just inside the closing parenthesis of each call of the function that passes
    another number of arguments than it now takes, in order."""
    if source.root is None:
        return []
    data = source.data
    places = []
    for call in nodes_of_types(source.root, _CALLS):
        callee = call.child_by_field_name(_CALLS[call.type])
        arguments = call.child_by_field_name("arguments")
        if callee is None or arguments is None or arguments.end_byte - arguments.start_byte < 2:
            continue
        name = data[callee.start_byte : callee.end_byte].decode("utf-8", "replace")
        if name.rsplit(".", 1)[-1].rsplit("::", 1)[-1] != signature.name:
            continue
        if _count(arguments) != signature.parameters:
            places.append(len(data[: arguments.end_byte - 1].decode("utf-8", "replace")))
    return places


def _definition_at(root: Node, text: str, offset: int) -> tuple[str, int] | None:
    """(name, number of parameters) of the definition whose parameter list holds `offset`."""
    at = len(text[:offset].encode("utf-8", "surrogatepass"))
    node: Node | None = root.named_descendant_for_byte_range(at, at)
    while node is not None:
        parameters = node.child_by_field_name("parameters")
        name = node.child_by_field_name("name")
        if parameters is not None and name is not None:
            inside = parameters.start_byte <= at <= parameters.end_byte
            return (name.text.decode("utf-8", "replace"), _count(parameters)) if inside else None
        node = node.parent
    return None


def _count(node: Node) -> int:
    return sum(
        1 for child in node.named_children if not any(word in child.type for word in _COMMENT_WORDS)
    )
