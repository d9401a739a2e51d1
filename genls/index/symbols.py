"""Definitions, imports, call sites and class structure of one file, from tree-sitter queries.

What to find is per language data (genls/grammars/<lang>/{symbols,imports,calls,classes}.scm);
this module only turns the captures into records and adds what queries cannot express well:
docstrings and doc comments, signatures, and the function each call sits in.
"""

from __future__ import annotations

import inspect
import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from tree_sitter import Node, Query, QueryCursor

from genls.index.languages import LanguageInfo

KINDS = ("method", "function", "class", "type", "constant")  # by precedence, see _definitions
_SIGNATURE_CHARS = 200
_BODY_SEARCH_DEPTH = 4  # wrappers (export, decorators, declarations) sit above the body
# Node types (by substring) that may sit between a doc comment and its definition.
_ANNOTATIONS = ("attribute", "annotation", "decorator")
_STRING_QUOTES = re.compile(r"^[rRuUbBfF]*(\"\"\"|'''|\"|')(.*)\1$", re.DOTALL)
_QUOTES = "\"'`<>"
_RECEIVER_CHARS = 80


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # "function" | "method" | "class" | "type" | "constant"
    start_line: int  # 0-based, inclusive
    end_line: int  # 0-based, inclusive
    start_byte: int
    end_byte: int
    parent: str | None  # the enclosing class, impl or type, for methods
    signature: str  # the head up to the body, whitespace collapsed
    doc: str | None  # docstring or doc comment, without comment markers or quotes

    @property
    def qualified_name(self) -> str:
        """`Class.method` for a method, the name alone otherwise."""
        return f"{self.parent}.{self.name}" if self.parent else self.name


@dataclass(frozen=True)
class Call:
    name: str  # the callee's simple name: c for a.b.c()
    line: int  # 0-based
    caller: str | None  # the innermost enclosing function or method
    receiver: str | None = None  # what a method is called on: obj for obj.c(), a.b for a.b.c()


@dataclass(frozen=True)
class ClassRelation:
    """A class (struct, interface, trait) extending, embedding or implementing another."""

    name: str  # the class
    target: str  # the simple name of the other type
    kind: str  # "base" (extends, embeds, supertrait) | "implements"
    line: int  # 0-based


@dataclass(frozen=True)
class Attribute:
    """A field or attribute of a class, with its type's simple name when the code says it."""

    owner: str  # the class
    name: str
    type: str | None
    line: int  # 0-based, of the first place it is set


@dataclass(frozen=True)
class FileSymbols:
    definitions: tuple[Definition, ...]  # in source order
    imports: tuple[str, ...]  # module names or paths, in order, without duplicates
    calls: tuple[Call, ...]  # in source order
    relations: tuple[ClassRelation, ...] = ()  # in source order, without duplicates
    attributes: tuple[Attribute, ...] = ()  # per class, in the order first set

    def innermost(self, line: int, kinds: Collection[str] | None = None) -> Definition | None:
        """The innermost definition (of one of `kinds`) whose lines include `line` (0-based)."""
        around = [
            d
            for d in self.definitions
            if d.start_line <= line <= d.end_line and (kinds is None or d.kind in kinds)
        ]
        return max(around, key=lambda d: d.start_line, default=None)


@dataclass(frozen=True)
class ParsedSource:
    """One version of a file's text, parsed at most once: every question a request asks of a
    document (the offers at the cursor, the region to refactor, the diagrams there, the next
    use of a renamed name) reads this one tree and these symbols."""

    text: str
    language: LanguageInfo

    @cached_property
    def data(self) -> bytes:
        return self.text.encode("utf-8", "surrogatepass")

    @cached_property
    def root(self) -> Node | None:
        """The tree's root; None when the language has no grammar."""
        parser = self.language.parser()
        return parser.parse(self.data).root_node if parser is not None else None

    @cached_property
    def symbols(self) -> FileSymbols:
        root, data, language = self.root, self.data, self.language
        if root is None:
            return FileSymbols((), (), ())
        definitions = _definitions(language, root, data)
        return FileSymbols(
            definitions=definitions,
            imports=_imports(language.query("imports"), root, data),
            calls=_calls(language.query("calls"), root, data, definitions),
            relations=_relations(language.query("classes"), root, data),
            attributes=_attributes(language.query("classes"), root, data),
        )


def extract_symbols(text: str, language: LanguageInfo) -> FileSymbols:
    return ParsedSource(text, language).symbols


class _Match(NamedTuple):
    """One symbols.scm match: a candidate definition."""

    kind: str
    node: Node
    name: Node
    parent: Node | None

    @property
    def rank(self) -> tuple[int, int]:
        """Lower wins: the most specific kind, then the largest node."""
        return KINDS.index(self.kind), self.node.start_byte - self.node.end_byte


def _definitions(language: LanguageInfo, root: Node, data: bytes) -> tuple[Definition, ...]:
    query = language.query("symbols")
    if query is None:
        return ()
    # One definition per @name node. Several patterns may claim it (a method also matches
    # the plain function pattern; a decorated or exported definition also matches bare).
    best: dict[int, _Match] = {}
    for captures in _matches(query, root):
        kinds = [name for name in captures if name.startswith("definition.")]
        if not kinds or "name" not in captures:
            continue
        match = _Match(
            kinds[0].removeprefix("definition."),
            captures[kinds[0]],
            captures["name"],
            captures.get("parent"),
        )
        current = best.get(match.name.start_byte)
        if current is None or match.rank < current.rank:
            best[match.name.start_byte] = match
    ordered = sorted(best.values(), key=lambda m: (m.node.start_byte, m.name.start_byte))
    definitions = (_definition(language, match, data) for match in ordered)
    # The same name on the same node twice is one definition (C's `typedef struct a {} a;`).
    unique = {(d.name, d.kind, d.start_byte, d.end_byte): d for d in definitions}
    return tuple(unique.values())


def _definition(language: LanguageInfo, match: _Match, data: bytes) -> Definition:
    node = match.node
    method = match.kind == "method" and match.parent is not None
    docstring = _docstring(node, data) if language.docstrings else None
    return Definition(
        name=_text(match.name, data),
        kind=match.kind,
        start_line=node.start_point[0],
        end_line=last_row(node),
        start_byte=node.start_byte,
        end_byte=node.end_byte,
        parent=_text(match.parent, data) if method else None,
        signature=_signature(node, data),
        doc=docstring or _doc_comment(node, data, language.line_comment),
    )


def _imports(query: Query | None, root: Node, data: bytes) -> tuple[str, ...]:
    if query is None:
        return ()
    found = (captures["import"] for captures in _matches(query, root) if "import" in captures)
    nodes = sorted(found, key=lambda node: node.start_byte)
    paths = (" ".join(_text(node, data).strip(_QUOTES).split()) for node in nodes)
    return tuple(dict.fromkeys(path for path in paths if path))


def _calls(
    query: Query | None, root: Node, data: bytes, definitions: tuple[Definition, ...]
) -> tuple[Call, ...]:
    if query is None:
        return ()
    # By call node, so a call matched by two patterns counts once.
    sites: dict[tuple[int, int], tuple[Node, Node, Node | None]] = {}
    for captures in _matches(query, root):
        if "call" in captures and "name" in captures:
            call = captures["call"]
            site = (call, captures["name"], captures.get("receiver"))
            sites.setdefault((call.start_byte, call.end_byte), site)
    functions = [d for d in definitions if d.kind in ("function", "method")]
    starts = [d.start_byte for d in functions]  # sorted: definitions are in source order
    return tuple(
        Call(
            _text(name, data),
            call.start_point[0],
            _caller(functions, starts, call),
            _receiver(receiver, data),
        )
        for call, name, receiver in sorted(sites.values(), key=lambda site: site[1].start_byte)
    )


def _receiver(node: Node | None, data: bytes) -> str | None:
    if node is None:
        return None
    return " ".join(_text(node, data).split())[:_RECEIVER_CHARS] or None


def _relations(query: Query | None, root: Node, data: bytes) -> tuple[ClassRelation, ...]:
    if query is None:
        return ()
    found: dict[tuple[str, str, str], ClassRelation] = {}
    for captures in _matches(query, root):
        kind = "base" if "base" in captures else "implements" if "implements" in captures else ""
        if not kind or "class" not in captures:
            continue
        target = captures[kind]
        relation = ClassRelation(
            _text(captures["class"], data), _text(target, data), kind, target.start_point[0]
        )
        current = found.get((relation.name, relation.target, kind))
        if current is None or relation.line < current.line:
            found[(relation.name, relation.target, kind)] = relation
    return tuple(sorted(found.values(), key=lambda r: r.line))


def _attributes(query: Query | None, root: Node, data: bytes) -> tuple[Attribute, ...]:
    """One attribute per (class, name): where first set, with the first type the code gives."""
    if query is None:
        return ()
    first: dict[tuple[str, str], Attribute] = {}
    for captures in sorted(
        (c for c in _matches(query, root) if "class" in c and "field" in c),
        key=lambda c: c["field"].start_byte,
    ):
        owner, name = _text(captures["class"], data), _text(captures["field"], data)
        type_node = captures.get("field.type")
        type_name = _text(type_node, data) if type_node is not None else None
        current = first.get((owner, name))
        if current is None:
            first[(owner, name)] = Attribute(
                owner, name, type_name, captures["field"].start_point[0]
            )
        elif current.type is None and type_name is not None:
            first[(owner, name)] = Attribute(owner, name, type_name, current.line)
    return tuple(first.values())


def _caller(functions: list[Definition], starts: list[int], call: Node) -> str | None:
    """The innermost function containing the call: the latest-starting one that encloses it."""
    for index in range(bisect_right(starts, call.start_byte) - 1, -1, -1):
        if call.end_byte <= functions[index].end_byte:
            return functions[index].name
    return None


def _matches(query: Query, root: Node) -> list[dict[str, Node]]:
    """Each match's captures, one node per capture name (queries capture single nodes)."""
    return [
        {name: nodes[0] for name, nodes in captures.items()}
        for _, captures in QueryCursor(query).matches(root)
    ]


def _text(node: Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _signature(node: Node, data: bytes) -> str:
    """The head of the definition: up to its body, else its first line."""
    start = _after_annotations(node)
    body = body_of(node)
    if body is not None:
        head = data[start : _head_end(body)].decode("utf-8", "replace")
    else:
        head = data[start : node.end_byte].decode("utf-8", "replace").split("\n", 1)[0]
        head = head.rstrip().removesuffix("{")
    return " ".join(head.split())[:_SIGNATURE_CHARS]


def _after_annotations(node: Node) -> int:
    """Where the definition proper starts: after the decorators of a decorated definition."""
    children = node.named_children
    skipped = 0
    while skipped < len(children) and is_annotation(children[skipped]):
        skipped += 1
    return children[skipped].start_byte if 0 < skipped < len(children) else node.start_byte


def is_annotation(node: Node) -> bool:
    return any(part in node.type for part in _ANNOTATIONS)


def _head_end(body: Node) -> int:
    """Where the body starts, or an earlier comment between head and body (Ruby's)."""
    siblings = body.parent.children if body.parent is not None else []
    comments = [c.start_byte for c in siblings if "comment" in c.type]
    return min([c for c in comments if c < body.start_byte], default=body.start_byte)


def body_of(node: Node) -> Node | None:
    """The nearest `body` field, looking through wrappers such as decorators or exports."""
    level = [node]
    for _ in range(_BODY_SEARCH_DEPTH):
        for candidate in level:
            body = candidate.child_by_field_name("body")
            if body is not None:
                return body
        level = [child for candidate in level for child in candidate.named_children]
    return None


def docstring_node(node: Node) -> Node | None:
    """The string literal that is the first statement of the body (Python's docstring)."""
    body = body_of(node)
    first = body.named_children[0] if body is not None and body.named_child_count else None
    if first is None or first.type != "expression_statement" or first.named_child_count != 1:
        return None
    literal = first.named_children[0]
    return literal if literal.type == "string" else None


def _docstring(node: Node, data: bytes) -> str | None:
    literal = docstring_node(node)
    if literal is None:
        return None
    text = _text(literal, data)
    quoted = _STRING_QUOTES.match(text)
    return inspect.cleandoc(quoted.group(2) if quoted else text) or None


def doc_comment_nodes(node: Node, data: bytes) -> list[Node]:
    """The comments right above the definition, top first (annotations in between skipped)."""
    # A node opening its parent (Ruby's first statement of a body) shares the parent's comments.
    while node.parent is not None and node.parent.start_byte == node.start_byte:
        node = node.parent
    comments: list[Node] = []
    top = node.start_point[0]
    sibling = node.prev_named_sibling
    while sibling is not None and last_row(sibling) >= top - 1:
        if "comment" in sibling.type and _starts_line(sibling, data):
            comments.append(sibling)
        elif not is_annotation(sibling):
            break
        top = sibling.start_point[0]
        sibling = sibling.prev_named_sibling
    return comments[::-1]


def _doc_comment(node: Node, data: bytes, marker: str) -> str | None:
    comments = doc_comment_nodes(node, data)
    lines = [line for c in comments for line in _comment_lines(_text(c, data), marker)]
    return "\n".join(lines).strip() or None


def last_row(node: Node) -> int:
    """The node's last line; some grammars end a line comment after its newline."""
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point[0] else row


def _starts_line(node: Node, data: bytes) -> bool:
    """Not a trailing comment after code on the same line."""
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1
    return not data[line_start : node.start_byte].strip()


def _comment_lines(comment: str, marker: str) -> list[str]:
    text = comment.strip()
    if text.startswith("/*"):
        lines = text.removeprefix("/*").removesuffix("*/").split("\n")
        return [line.strip().lstrip("*!").strip() for line in lines]
    # Line comments, including doc variants such as ///, //!, ---, ##.
    return [line.strip().lstrip(marker + "!").strip() for line in text.split("\n")]
