"""Definitions, imports and call sites of one file, from its tree-sitter syntax tree."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from genls.index.languages import LanguageInfo

# Node types that define something, by kind; the defined name is the node's `name` field.
_DEFINITION_KINDS = {
    "function_definition": "function",  # python
    "function_declaration": "function",  # js, ts, go
    "generator_function_declaration": "function",
    "function_item": "function",  # rust
    "method_definition": "method",  # js, ts
    "method_declaration": "method",  # go, java
    "class_definition": "class",  # python
    "class_declaration": "class",  # js, ts, java
    "abstract_class_declaration": "class",
    "interface_declaration": "type",
    "type_alias_declaration": "type",
    "enum_declaration": "type",
    "type_spec": "type",  # go
    "struct_item": "type",  # rust
    "enum_item": "type",
    "trait_item": "type",
    "const_item": "constant",
}
_CLASS_LIKE = {"class", "type"}
_CALLS = {"call", "call_expression", "method_invocation"}
_IMPORTS = {
    "import_statement",
    "import_from_statement",
    "import_declaration",
    "import_spec",
    "use_declaration",
}
_SIGNATURE_CHARS = 200


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # "function" | "method" | "class" | "type" | "constant"
    start_line: int  # 0-based, inclusive
    end_line: int  # 0-based, inclusive
    start_byte: int
    end_byte: int
    parent: str | None  # the enclosing class or type, for methods
    signature: str
    doc: str | None


@dataclass(frozen=True)
class Call:
    name: str
    line: int
    caller: str | None


@dataclass(frozen=True)
class FileSymbols:
    definitions: tuple[Definition, ...]
    imports: tuple[str, ...]
    calls: tuple[Call, ...]


def extract_symbols(text: str, language: LanguageInfo) -> FileSymbols:
    parser = language.parser()
    if parser is None:
        return FileSymbols((), (), ())
    data = text.encode("utf-8", "surrogatepass")
    tree = parser.parse(data)
    definitions: list[Definition] = []
    imports: list[str] = []
    calls: list[Call] = []
    _walk(tree.root_node, data, None, None, definitions, imports, calls)
    return FileSymbols(tuple(definitions), tuple(dict.fromkeys(imports)), tuple(calls))


def _walk(
    node: Node,
    data: bytes,
    parent: str | None,
    caller: str | None,
    definitions: list[Definition],
    imports: list[str],
    calls: list[Call],
) -> None:
    kind = _DEFINITION_KINDS.get(node.type)
    name_node = node.child_by_field_name("name") if kind else None
    if kind and name_node is not None:
        name = _text(name_node, data)
        if kind == "function" and parent is not None:
            kind = "method"
        definitions.append(
            Definition(
                name=name,
                kind=kind,
                start_line=node.start_point[0],
                end_line=node.end_point[0],
                start_byte=node.start_byte,
                end_byte=node.end_byte,
                parent=parent if kind == "method" else None,
                signature=_signature(node, data),
                doc=_doc(node, data),
            )
        )
        if kind in _CLASS_LIKE:
            parent = name
        else:
            caller = name
    elif node.type == "impl_item":  # rust: methods belong to the implemented type
        type_node = node.child_by_field_name("type")
        parent = _text(type_node, data) if type_node is not None else parent
    elif node.type in _IMPORTS:
        imports.append(" ".join(_text(node, data).split()))
    elif node.type in _CALLS:
        callee = node.child_by_field_name("function") or node.child_by_field_name("name")
        if callee is not None:
            last = (
                callee.child_by_field_name("attribute")
                or callee.child_by_field_name("property")
                or callee.child_by_field_name("field")
                or callee
            )
            calls.append(Call(_text(last, data), node.start_point[0], caller))
    for child in node.children:
        _walk(child, data, parent, caller, definitions, imports, calls)


def _text(node: Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _signature(node: Node, data: bytes) -> str:
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    head = data[node.start_byte : end].decode("utf-8", "replace").strip()
    return " ".join(head.split()) if "\n" in head else head[:_SIGNATURE_CHARS]


def _doc(node: Node, data: bytes) -> str | None:
    body = node.child_by_field_name("body")
    if body is not None and body.named_child_count and node.type.endswith("_definition"):
        first = body.named_children[0]  # python: a string as the first statement
        if (
            first.type == "expression_statement"
            and first.named_children
            and (first.named_children[0].type == "string")
        ):
            return _text(first.named_children[0], data).strip("\"' \n\r\t").strip() or None
    comments = []
    sibling = node.prev_named_sibling
    while (
        sibling is not None
        and "comment" in sibling.type
        and (sibling.end_point[0] >= node.start_point[0] - 1 - len(comments))
    ):
        comments.append(_text(sibling, data))
        sibling = sibling.prev_named_sibling
    if not comments:
        return None
    lines = [
        line.strip().lstrip("/*#-! ").rstrip("*/ ")
        for c in reversed(comments)
        for line in c.splitlines()
    ]
    return "\n".join(line for line in lines if line) or None
