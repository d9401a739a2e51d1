"""The next edit after a rename by hand, found from syntax trees with no model.

When the person's last edit replaced one whole name with another (`count` became `total` at
one place), the other uses of the old name in the same scope are the next places to change:
the function around the edit, or the whole file when the name is not inside one. Only nodes
of the language's name types are touched (genls/grammars/<lang>/language.toml `[rename]`), never
strings or comments, and a member (`obj.count`) only when the edited name was a member too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from genls.assist.edit_history import EditEvent
from genls.assist.rename_syntax import rename_syntax
from genls.index.symbols import ParsedSource

_WORD = re.compile(r"[\w$]")
_NAME = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
# Node types that open a scope of their own, across the bundled grammars.
_SCOPE_WORDS = ("function", "method", "lambda", "closure", "constructor")


@dataclass(frozen=True)
class Renamed:
    old: str
    new: str
    start: int  # the new name in the event's `after` text
    end: int


@dataclass(frozen=True)
class NameUse:
    start: int  # offsets of a remaining use of the old name, in the current text
    end: int


def renamed_name(event: EditEvent) -> Renamed | None:
    """The rename this event made by hand, if it replaced exactly one whole name."""
    before, after = event.before, event.after
    start, end_before, end_after = event.changed_span()
    while start > 0 and _WORD.match(before[start - 1]):
        start -= 1  # the characters before `start` are the same in both texts
    while end_before < len(before) and _WORD.match(before[end_before]):
        end_before += 1
        end_after += 1
    old, new = before[start:end_before], after[start:end_after]
    if old == new or not _NAME.fullmatch(old) or not _NAME.fullmatch(new):
        return None
    return Renamed(old, new, start, end_after)


def remaining_uses(source: ParsedSource, renamed: Renamed) -> list[NameUse]:
    """The uses of the old name still in the text, in the scope of the renamed one, in order."""
    syntax = rename_syntax(source.language)
    if syntax is None or source.root is None:
        return []
    data = source.data
    at = _byte_offset(source.text, renamed.start)
    edited = source.root.named_descendant_for_byte_range(at, at + len(renamed.new.encode()))
    if edited is None or edited.type not in syntax.identifiers:
        return []
    edited_is_member = _place(edited) in syntax.members
    scope = _scope(edited)
    old = renamed.old.encode()
    uses = []
    for node in nodes_of_types(scope, syntax.identifiers):
        if data[node.start_byte : node.end_byte] != old:
            continue
        place = _place(node)
        if place in syntax.not_references or (place in syntax.members) != edited_is_member:
            continue
        uses.append(NameUse(_char_offset(data, node.start_byte), _char_offset(data, node.end_byte)))
    return uses


def next_use(uses: list[NameUse], cursor: int) -> NameUse | None:
    """The first use after the cursor, else the first in the scope."""
    after = [use for use in uses if use.start >= cursor]
    return (after or uses or [None])[0]


def _scope(node: Node) -> Node:
    """The function the name is in; the file for a function's own name or a top-level name."""
    current = node.parent
    own_name = current is not None and current.child_by_field_name("name") == node
    while current is not None and current.parent is not None:
        if any(word in current.type for word in _SCOPE_WORDS):
            if not own_name:
                return current
            own_name = False  # the function's own name belongs to the scope around it
        current = current.parent
    root = node
    while root.parent is not None:
        root = root.parent
    return root


def nodes_of_types(root: Node, types: Collection[str]) -> Iterator[Node]:
    """Every node under `root` (itself included) of one of these types, in document order."""
    cursor = root.walk()
    while True:
        if cursor.node is not None and cursor.node.type in types:
            yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def _place(node: Node) -> str | None:
    """ "parent_type.field" of a node, as language.toml's [rename] tables name places."""
    parent = node.parent
    if parent is None:
        return None
    for index in range(parent.child_count):
        if parent.child(index) == node:
            field = parent.field_name_for_child(index)
            return f"{parent.type}.{field}" if field else None
    return None


def _byte_offset(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-8", "surrogatepass"))


def _char_offset(data: bytes, byte: int) -> int:
    return len(data[:byte].decode("utf-8", "replace"))
