"""What a docstring is written about: the definition at a position, its parameters, whether it
returns or raises, where its documentation goes and the documentation it already has.

All of it comes from the tree-sitter tree, the same way for every language; what differs per
language is data (genls/grammars/<lang>/language.toml's doc_style) or a node type name below.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from genls.assist.edit_check import first_error_line
from genls.errors import GenlsError
from genls.index.languages import LanguageInfo
from genls.index.symbols import (
    Definition,
    ParsedSource,
    body_of,
    doc_comment_nodes,
    docstring_node,
    is_annotation,
)

DOCUMENTABLE = ("function", "method", "class", "type")
# Parameters that are the receiver, not an argument the caller passes.
_RECEIVERS = {"self", "cls", "this"}
_SKIPPED_PARAMETERS = {"self_parameter", "comment", "keyword_separator", "positional_separator"}
_NAME_FIELDS = ("name", "pattern", "declarator", "left")
_VOID_TYPES = {"void", "()", "Unit"}
# Bodies of nested definitions: their returns and raises are not the outer function's.
_NESTED = ("function", "lambda", "closure", "class", "method")
_RETURN_NODES = {"return_statement", "return_expression"}
_RAISE_NODES = {"raise_statement", "throw_statement"}
_YIELD_NODES = {"yield", "yield_expression"}
# Doc comments, as opposed to ordinary comments that happen to sit above a definition.
_DOC_COMMENT_OPENERS = {
    "jsdoc": ("/**",),
    "javadoc": ("/**",),
    "doxygen": ("/**", "///", "//!", "/*!"),
    "rustdoc": ("///",),
    "godoc": ("//", "/*"),
}


class DocTargetError(GenlsError):
    """The position or file cannot be documented; the message says why."""


@dataclass(frozen=True)
class DocTarget:
    definition: Definition
    language: LanguageInfo
    parameters: tuple[str, ...]  # as the caller passes them, receivers left out
    returns: str | None  # "returns", "yields" or None
    return_type: str | None  # the declared type, when the signature has one
    raises: tuple[str, ...]  # exception names raised or thrown directly in the body
    code: str  # the definition's source, decorators and wrappers included
    insert_line: int  # 0-based line the new documentation is inserted before
    indent: str  # the documentation's indentation
    existing: tuple[int, int] | None  # 0-based first and last line of the current docs
    existing_text: str | None

    @property
    def name(self) -> str:
        return self.definition.name


def find_targets(source: ParsedSource) -> list[DocTarget]:
    """Every definition of the file that documentation can be placed on, in source order."""
    root, definitions = _parse(source)
    targets = []
    for definition in definitions:
        try:
            targets.append(_target(definition, root, source.data, source.language))
        except DocTargetError:
            continue  # a one-line body: only an explicit request says why
    return targets


def target_at(source: ParsedSource, line: int) -> DocTarget:
    """The innermost documentable definition containing `line` (0-based)."""
    root, definitions = _parse(source)
    around = [d for d in definitions if d.start_line <= line <= d.end_line]
    if not around:
        raise DocTargetError(f"line {line + 1} is not inside a function, method or class")
    innermost = max(around, key=lambda d: (d.start_line, -d.end_line))
    return _target(innermost, root, source.data, source.language)


def signatures(source: ParsedSource) -> dict[str, tuple[str, ...]]:
    """The parameters of every function and method, by name (a refactor must keep them)."""
    root, definitions = _parse(source, for_docs=False)
    found = {}
    for definition in definitions:
        if definition.kind in ("function", "method"):
            node = root.descendant_for_byte_range(definition.start_byte, definition.end_byte)
            inner = _with_field(node, "parameters") or node
            found[definition.name] = _parameters(inner, source.data, definition)
    return found


def _parse(source: ParsedSource, for_docs: bool = True) -> tuple[Node, list[Definition]]:
    language = source.language
    if for_docs and language.doc_style is None:
        raise DocTargetError(f"genls does not write documentation for {language.id} files")
    root = source.root
    if root is None:
        raise DocTargetError(
            f"no tree-sitter grammar for {language.id}: pip install {language.package}"
        )
    broken = first_error_line(root) if for_docs else None
    if broken is not None:
        raise DocTargetError(f"the file has a syntax error at line {broken + 1}: fix it first")
    definitions = [d for d in source.symbols.definitions if d.kind in DOCUMENTABLE]
    return root, definitions


def _target(definition: Definition, root: Node, data: bytes, language: LanguageInfo) -> DocTarget:
    outer = root.descendant_for_byte_range(definition.start_byte, definition.end_byte)
    while outer.parent is not None and (outer.start_byte, outer.end_byte) == (
        outer.parent.start_byte,
        outer.parent.end_byte,
    ):
        outer = outer.parent
    inner = _with_field(outer, "parameters") or outer
    callable_ = definition.kind in ("function", "method")
    parameters = _parameters(inner, data, definition) if callable_ else ()
    body = body_of(outer)
    returns, return_type = _returns((inner, outer), body, data) if callable_ else (None, None)
    raises = _raises(body, data) if callable_ and body is not None else ()
    if language.doc_style == "python":
        insert_line, indent, existing = _python_placement(outer, body, data, definition)
    else:
        insert_line, indent, existing = _comment_placement(outer, data, language.doc_style)
    existing_text = None
    if existing is not None:
        lines = data.decode("utf-8", "replace").split("\n")
        existing_text = "\n".join(lines[existing[0] : existing[1] + 1])
    return DocTarget(
        definition=definition,
        language=language,
        parameters=parameters,
        returns=returns,
        return_type=return_type,
        raises=raises,
        code=data[outer.start_byte : outer.end_byte].decode("utf-8", "replace"),
        insert_line=insert_line,
        indent=indent,
        existing=existing,
        existing_text=existing_text,
    )


def _with_field(node: Node, field: str, depth: int = 4) -> Node | None:
    """The shallowest node at or under `node` that has `field` (C hides it in a declarator)."""
    level = [node]
    for _ in range(depth):
        for candidate in level:
            if candidate.child_by_field_name(field) is not None:
                return candidate
        level = [child for candidate in level for child in candidate.named_children]
    return None


def _text(node: Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _parameters(inner: Node, data: bytes, definition: Definition) -> tuple[str, ...]:
    node = inner.child_by_field_name("parameters")
    if node is None:
        return ()
    names: list[str] = []
    for child in node.named_children:
        if child.type in _SKIPPED_PARAMETERS:
            continue
        names.extend(_parameter_names(child, data))
    if names and names[0] in _RECEIVERS:
        names = names[1:]
    return tuple(dict.fromkeys(names))


def _parameter_names(node: Node, data: bytes) -> list[str]:
    if node.type.endswith("identifier"):
        return [_text(node, data)]
    for field in _NAME_FIELDS:
        named = node.children_by_field_name(field)
        if named:
            return [name for child in named for name in _parameter_names(child, data)]
    if node.type.endswith("pattern") and node.type not in (
        "list_splat_pattern",
        "dictionary_splat_pattern",
        "rest_pattern",
    ):
        return [" ".join(_text(node, data).split())]  # destructured: documented as written
    for child in node.named_children:
        if "type" in child.type:  # Java's `String... names`: the type comes first
            continue
        found = _parameter_names(child, data)
        if found:
            return found
    return []


def _returns(
    heads: tuple[Node, Node], body: Node | None, data: bytes
) -> tuple[str | None, str | None]:
    declared = None
    # The declared type sits beside the parameters, or on the outer node (C's function type).
    fields = [
        head.child_by_field_name(f) for head in heads for f in ("return_type", "result", "type")
    ]
    node = next((found for found in fields if found is not None), None)
    if node is not None:
        declared = _text(node, data).lstrip(":").strip().removeprefix("->").strip()
    if declared in _VOID_TYPES or declared == "None":
        return None, None
    statements = list(_own_nodes(body)) if body is not None else []
    if any(n.type in _YIELD_NODES for n in statements):
        return "yields", declared
    if declared or any(n.type in _RETURN_NODES and n.named_child_count for n in statements):
        return "returns", declared
    return None, None


def _raises(body: Node, data: bytes) -> tuple[str, ...]:
    names = []
    for node in _own_nodes(body):
        if node.type in _RAISE_NODES and node.named_child_count:
            names.append(_exception_name(node.named_children[0], data))
    return tuple(dict.fromkeys(name for name in names if name))


def _exception_name(node: Node, data: bytes) -> str:
    """ValueError for `raise ValueError("x")`, `throw new Error(...)` and `raise errors.Bad`."""
    for field in ("function", "constructor", "type"):
        inner = node.child_by_field_name(field)
        if inner is not None:
            node = inner
            break
    else:
        if node.type == "new_expression" and node.named_child_count:
            node = node.named_children[0]
    return _text(node, data).split("(")[0].strip()


def _own_nodes(body: Node):
    """The body's nodes, not descending into nested functions, lambdas or classes."""
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        yield node
        if not any(part in node.type for part in _NESTED):
            stack.extend(node.named_children)


def _python_placement(
    outer: Node, body: Node | None, data: bytes, definition: Definition
) -> tuple[int, str, tuple[int, int] | None]:
    if body is None or body.start_point[0] == definition.start_line or not body.named_children:
        raise DocTargetError(
            f"{definition.name} has its body on the same line: put it on its own line first"
        )
    existing = docstring_node(outer)
    first = body.named_children[0]
    indent = _line_indent(data, first.start_byte)
    if existing is not None:
        statement = existing.parent
        return statement.start_point[0], indent, (statement.start_point[0], statement.end_point[0])
    return first.start_point[0], indent, None


def _comment_placement(
    outer: Node, data: bytes, style: str | None
) -> tuple[int, str, tuple[int, int] | None]:
    # Above the attributes and annotations that precede the definition (Rust's #[derive]).
    top = outer
    while top.prev_named_sibling is not None and is_annotation(top.prev_named_sibling):
        if top.prev_named_sibling.end_point[0] < top.start_point[0] - 1:
            break
        top = top.prev_named_sibling
    indent = _line_indent(data, top.start_byte)
    openers = _DOC_COMMENT_OPENERS.get(style or "", ())
    # Only the doc comments right above count; an ordinary comment above them ends the run.
    run: list[Node] = []
    for comment in reversed(doc_comment_nodes(outer, data)):
        if not _text(comment, data).lstrip().startswith(openers):
            break
        run.insert(0, comment)
    if run:
        return run[0].start_point[0], indent, (run[0].start_point[0], _end_row(run[-1]))
    return top.start_point[0], indent, None


def _end_row(node: Node) -> int:
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point[0] else row


def _line_indent(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", "replace")
    return prefix if not prefix.strip() else prefix[: len(prefix) - len(prefix.lstrip())]
