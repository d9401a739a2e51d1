"""Rename a function, class, method or constant across the workspace, from syntax trees.

Knows nothing of LSP: it reads files (the editor's text for open ones), and returns per file
the spans to replace. What it renames:

- a top-level name (function, class, constant): the names equal to it in the files that
  define it (a Go package: the whole folder), and in the files whose imports name its module:
  the name inside the import, the bare names when the import binds the name itself
  (`from m import name`, `import { name }`, `use m::name`), and members whose object is the
  module (`m.name`, `pkg.Name`, `m::name`);
- a method: its definitions in its class, and every member access `.name` in the files that
  define the class or import its module (calls cannot be typed, so another class with a method
  of the same name makes the rename ambiguous, and it is refused).

Strings and comments are never touched: only nodes of the language's identifier types are
(genls/grammars/<lang>/language.toml `[rename]`). Every edited file must parse as before, with the
new name parsed as a name at each edit, or the rename is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from tree_sitter import Node, Query, QueryCursor, QueryError

from genls.assist.rename_syntax import RenameSyntax, rename_syntax
from genls.assist.text_edit import FileEdits, TextEdit, apply_edits
from genls.errors import GenlsError
from genls.index.languages import LanguageInfo, language_for
from genls.index.symbols import Definition, ParsedSource
from genls.index.workspace_index import module_name

# Any language's names are word characters not starting with a digit ($ in JavaScript);
# whether a word is a keyword is left to the language's own parser (see _check_parses).
_NAME = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
_WORDS = re.compile(r"\w+")


class RenameError(GenlsError):
    """The symbol cannot be renamed, or not to that name; nothing was changed."""


@dataclass(frozen=True)
class Sources:
    """Where renaming looks: the files to search and how to read them. Make one per request:
    it reads and parses each file once, and keeps what it read."""

    paths: tuple[Path, ...]  # absolute; the index's files, or just the open one without it
    read: Callable[[Path], str | None]  # the editor's text for open files, else the disk's
    # The index's definitions of a name (absolute paths), to resolve without scanning files.
    definitions_named: Callable[[str], list[tuple[Path, Definition]]] = lambda name: []
    _texts: dict[Path, str | None] = field(default_factory=dict, init=False, repr=False)
    _parsed: dict[Path, ParsedSource] = field(default_factory=dict, init=False, repr=False)

    def text(self, path: Path) -> str | None:
        if path not in self._texts:
            self._texts[path] = self.read(path)
        return self._texts[path]

    def parsed(self, path: Path) -> ParsedSource | None:
        """The file's text and tree, in the language its name says; None when unreadable."""
        if path not in self._parsed:
            text = self.text(path)
            if text is None:
                return None
            self._parsed[path] = ParsedSource(text, language_for(None, str(path)))
        return self._parsed[path]


@dataclass(frozen=True)
class Symbol:
    name: str
    start: int  # the name at the cursor, as offsets into its file's text
    end: int
    parent: str | None  # the class (impl, type) of a method; None for a top-level name
    homes: frozenset[Path]  # the files defining it


def prepare_rename(sources: Sources, path: Path, offset: int) -> Symbol:
    """The symbol whose name is at `offset` in `path`, or RenameError saying why there is none."""
    file = _parse_file(sources, path)
    return _resolve(sources, file, _name_at(file, offset))


def rename(sources: Sources, path: Path, offset: int, new_name: str) -> list[FileEdits]:
    """Every edit renaming the symbol at `offset` to `new_name`, or RenameError."""
    origin = _parse_file(sources, path)
    symbol = _resolve(sources, origin, _name_at(origin, offset))
    if new_name == symbol.name:
        raise RenameError(f"the new name is the same as the old one ({new_name})")
    if not _NAME.fullmatch(new_name):
        raise RenameError(f"{new_name!r} is not a valid name")
    files = [f for f in _files_mentioning(sources, origin, symbol) if f is not None]
    plans = [(file, _references(file, symbol)) for file in files]
    plans = [(file, nodes) for file, nodes in plans if nodes]
    _check_conflicts(plans, symbol, new_name)
    result = []
    for file, nodes in plans:
        edits = file.edits(nodes, new_name)
        _check_parses(file, edits, new_name)
        result.append(FileEdits(file.path, file.text, edits))
    return result


# -- one parsed file -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Import:
    """An import statement: its module path and the names it binds."""

    node: Node
    path: str  # as written, quotes stripped: pkg.a, ./geo, crate::geo::area
    names: frozenset[str]  # the names inside the statement: pkg, a, area, alias...

    @property
    def words(self) -> frozenset[str]:
        return self.names | frozenset(_WORDS.findall(self.path))

    @property
    def qualifiers(self) -> frozenset[str]:
        """What code may write before `.name` to mean this module: an alias, the path, the
        path's last part (Go's package name)."""
        parts = _WORDS.findall(self.path)
        return self.names | {self.path} | ({parts[-1]} if parts else set())


@dataclass
class _File:
    path: Path
    source: ParsedSource  # one parse for the tree and the definitions
    syntax: RenameSyntax
    _names: dict[str, list[Node]] = field(init=False, default_factory=dict)

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def language(self) -> LanguageInfo:
        return self.source.language

    @property
    def data(self) -> bytes:
        return self.source.data

    @property
    def root(self) -> Node:
        root = self.source.root
        assert root is not None  # rename_syntax is None without a grammar
        return root

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return self.source.symbols.definitions

    @cached_property
    def imports(self) -> list[_Import]:
        query = self.language.query("imports")
        if query is None:
            return []
        found = QueryCursor(query).captures(self.root).get("import", [])
        statements = {}
        for node in found:
            statement = _statement(node)
            names = frozenset(self.text_of(n) for n in _descendants(statement, self.syntax))
            path = " ".join(self.text_of(node).strip("\"'`<>").split())
            statements[(statement.start_byte, path)] = _Import(statement, path, names)
        return list(statements.values())

    def text_of(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def names(self, name: str) -> list[Node]:
        """Every name node spelled `name`, in order."""
        if name not in self._names:
            self._names[name] = self._find_names(name)
        return self._names[name]

    def _find_names(self, name: str) -> list[Node]:
        types = " ".join(f"({t})" for t in sorted(self.syntax.identifiers))
        source = f'([{types}] @name (#eq? @name "{name}"))'
        try:
            query = Query(self.language.grammar, source)  # type: ignore[arg-type]
        except QueryError as exc:
            raise RenameError(
                f"genls/grammars/{self.language.id}/language.toml [rename]: {exc}"
            ) from exc
        nodes = QueryCursor(query).captures(self.root).get("name", [])
        return sorted(nodes, key=lambda n: n.start_byte)

    def role(self, node: Node) -> str:
        """ "member" (obj.name), "other" (a keyword argument, an object key) or "name"."""
        place = _place(node)
        if place in self.syntax.members:
            return "member"
        return "other" if place in self.syntax.not_references else "name"

    def member_object(self, node: Node) -> str | None:
        """The text before `.name` of a member, whitespace removed."""
        parent = node.parent
        if parent is None:
            return None
        for child in parent.named_children:
            if child.start_byte < node.start_byte:
                return "".join(self.text_of(child).split())
        return None

    def definition_name(self, definition: Definition) -> Node | None:
        """The node naming a definition: the first name spelled so that is its parent's `name`
        field (so a decorator such as @area.setter is not taken for it)."""
        inside = [
            n
            for n in self.names(definition.name)
            if definition.start_byte <= n.start_byte < definition.end_byte
        ]
        named = [n for n in inside if _same(n.parent.child_by_field_name("name"), n)]
        return (named or inside or [None])[0]

    def is_home(self, symbol: Symbol) -> bool:
        if self.path in symbol.homes:
            return True
        return self.syntax.module == "folder" and any(
            home.parent == self.path.parent for home in symbol.homes
        )

    def imports_of(self, homes: Iterable[Path]) -> list[_Import]:
        """The import statements naming the module of one of `homes`."""
        keys = {key for home in homes for key in _module_keys(home, self.syntax)}
        return [statement for statement in self.imports if statement.words & keys]

    def edits(self, nodes: list[Node], new_name: str) -> tuple[TextEdit, ...]:
        spans = sorted({(n.start_byte, n.end_byte) for n in nodes})
        return tuple(
            TextEdit(self.char_offset(start), self.char_offset(end), new_name)
            for start, end in spans
        )

    def char_offset(self, byte: int) -> int:
        return len(self.data[:byte].decode("utf-8", "surrogatepass"))

    def byte_offset(self, offset: int) -> int:
        return len(self.text[:offset].encode("utf-8", "surrogatepass"))


def _parse_file(sources: Sources, path: Path) -> _File:
    language = language_for(None, str(path))
    syntax = rename_syntax(language)
    if syntax is None:
        raise RenameError(f"genls cannot rename in {language.id} files")
    source = sources.parsed(path)
    if source is None:
        raise RenameError(f"cannot read {path}")
    return _File(path, source, syntax)


def _statement(node: Node) -> Node:
    """The import statement around an import's path: the node right inside the file, a block
    or a list (Go's import_spec inside its import_spec_list)."""
    while node.parent is not None and node.parent.parent is not None:
        kind = node.parent.type
        if "block" in kind or kind.endswith("_list"):
            break
        node = node.parent
    return node


def _descendants(node: Node, syntax: RenameSyntax) -> Iterable[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in syntax.identifiers:
            yield current
        stack.extend(current.named_children)


def _place(node: Node) -> str | None:
    """ "parent_type.field" of a node, or None where it is not in a field."""
    parent = node.parent
    if parent is None:
        return None
    for index, child in enumerate(parent.children):
        if _same(child, node):
            name = parent.field_name_for_child(index)
            return f"{parent.type}.{name}" if name else None
    return None


def _same(a: Node | None, b: Node | None) -> bool:
    return (
        a is not None
        and b is not None
        and (a.start_byte, a.end_byte, a.type)
        == (
            b.start_byte,
            b.end_byte,
            b.type,
        )
    )


def _module_keys(home: Path, syntax: RenameSyntax) -> set[str]:
    """The words an import of this file's module contains: its module name, and for languages
    whose modules are folders, the folder's name."""
    keys = {module_name(home.as_posix())}
    if syntax.module == "folder":
        keys.add(home.parent.name)
    return keys


# -- what is at the cursor -------------------------------------------------------------------


def _name_at(file: _File, offset: int) -> Node:
    """The name node at (or just before) the cursor, or why there is none."""
    byte = file.byte_offset(offset)
    for at in (byte, byte - 1):
        if at < 0:
            continue
        node = file.root.named_descendant_for_byte_range(at, at)
        if node is not None and node.type in file.syntax.identifiers and node.end_byte > at:
            return node
    raise RenameError(_why_not_a_name(file, byte))


def _why_not_a_name(file: _File, byte: int) -> str:
    for at in (byte, byte - 1):
        smallest = file.root.descendant_for_byte_range(max(at, 0), max(at, 0))
        node = smallest
        while node is not None and node.parent is not None:
            if "comment" in node.type:
                return "cannot rename inside a comment"
            if "string" in node.type or node.type.startswith("char"):
                return "cannot rename inside a string"
            node = node.parent
        if smallest is not None and not smallest.is_named:
            word = file.text_of(smallest)
            if word.isidentifier():
                return f"cannot rename `{word}`: it is a keyword"
    return "no name to rename at the cursor"


def _resolve(sources: Sources, file: _File, node: Node) -> Symbol:
    name = file.text_of(node)
    start, end = file.char_offset(node.start_byte), file.char_offset(node.end_byte)
    known = [(file.path, d) for d in file.definitions if d.name == name] + [
        (path, d)
        for path, d in sources.definitions_named(name)
        if path != file.path and _syntax_of(path).family == file.syntax.family
    ]
    methods = [(path, d) for path, d in known if d.parent is not None]
    top_level = [(path, d) for path, d in known if d.parent is None]

    def symbol(parent: str | None, homes: Iterable[Path]) -> Symbol:
        if parent is not None:
            others = sorted({d.parent for _, d in methods if d.parent != parent})
            if others:
                raise RenameError(
                    f"cannot rename {parent}.{name}: {', '.join(others)} also has a method "
                    f"`{name}`, and genls cannot tell their calls apart"
                )
        return Symbol(name, start, end, parent, frozenset(homes))

    # The name of a definition in this file.
    for definition in file.definitions:
        if definition.name == name and _same(file.definition_name(definition), node):
            if definition.parent is not None:
                homes = [p for p, d in methods if d.parent == definition.parent]
                return symbol(definition.parent, homes)
            return symbol(None, [file.path])
    # A name inside an import (`use crate::geo::area;`) is the imported module's.
    around = [s for s in file.imports if _inside(node, s.node)]
    imported = [p for p, _ in top_level if p != file.path and _file_imports(around, p)]
    if imported:
        return symbol(None, imported)
    role = file.role(node)
    if role == "member":
        qualifier = file.member_object(node)
        statements = [s for s in file.imports if qualifier in s.qualifiers]
        in_module = [p for p, _ in top_level if file.path != p and _file_imports(statements, p)]
        if in_module:
            return symbol(None, in_module)
        parents = {d.parent for _, d in methods}
        if parents:
            parent = sorted(parents)[0]  # symbol() refuses when there are several
            return symbol(parent, [p for p, d in methods if d.parent == parent])
    elif role == "name":
        here = [p for p, _ in top_level if p == file.path or _same_package(file, p)]
        if here:
            return symbol(None, here)
        binding = [s for s in file.imports if name in s.names]
        imported = [p for p, _ in top_level if _file_imports(binding, p)]
        if imported:
            return symbol(None, imported)
    if sources.paths == (file.path,):
        raise RenameError(
            f"`{name}` is not defined in this file, and without the workspace index genls "
            "looks nowhere else"
        )
    raise RenameError(
        f"`{name}` is not defined in the workspace (a builtin, a library's name, or a local "
        "variable): genls renames the functions, classes, methods and constants it indexed"
    )


def _file_imports(statements: list[_Import], home: Path) -> bool:
    return any(s.words & _module_keys(home, _syntax_of(home)) for s in statements)


def _syntax_of(path: Path) -> RenameSyntax:
    syntax = rename_syntax(language_for(None, str(path)))
    return syntax or RenameSyntax(frozenset(), frozenset(), frozenset(), "", "file")


def _same_package(file: _File, home: Path) -> bool:
    return file.syntax.module == "folder" and home.parent == file.path.parent


# -- where the references are ----------------------------------------------------------------


def _files_mentioning(sources: Sources, origin: _File, symbol: Symbol) -> Iterable[_File | None]:
    """The files of the symbol's language family whose text contains its name, parsed; reading
    text is far cheaper than parsing, so only these are parsed."""
    seen = {origin.path}
    yield origin
    for path in dict.fromkeys([*sorted(symbol.homes), *sources.paths]):
        if path in seen:
            continue
        seen.add(path)
        syntax = rename_syntax(language_for(None, str(path)))
        if syntax is None or syntax.family != origin.syntax.family:
            continue
        text = sources.text(path)
        if text is None or symbol.name not in text:
            continue
        yield _parse_file(sources, path)


def _references(file: _File, symbol: Symbol) -> list[Node]:
    """The nodes of `file` that name the symbol."""
    nodes = file.names(symbol.name)
    home = file.is_home(symbol)
    statements = [] if home else file.imports_of(symbol.homes)
    if not home and not statements:
        return []
    if symbol.parent is not None:
        definitions = [
            file.definition_name(d)
            for d in file.definitions
            if d.name == symbol.name and d.parent == symbol.parent
        ]
        return [n for n in nodes if file.role(n) == "member"] + [d for d in definitions if d]
    methods = [
        n
        for d in file.definitions
        if d.name == symbol.name and d.parent is not None
        for n in [file.definition_name(d)]
        if n is not None
    ]
    in_imports = [n for n in nodes if any(_inside(n, s.node) for s in statements)]
    binds_name = home or any(symbol.name in s.names for s in statements)
    qualifiers = {q for s in file.imports_of(symbol.homes) for q in s.qualifiers} - {symbol.name}
    found = list(in_imports)
    for node in nodes:
        role = file.role(node)
        bare = role == "name" and binds_name and not any(_same(node, m) for m in methods)
        qualified = role == "member" and file.member_object(node) in qualifiers
        if bare or qualified:
            found.append(node)
    return found


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


# -- checks before anything is offered -------------------------------------------------------


def _check_conflicts(plans: list[tuple[_File, list[Node]]], symbol: Symbol, new_name: str) -> None:
    """A name that already exists where the symbol is renamed would change what code means."""
    for file, nodes in plans:
        existing = file.names(new_name)
        if symbol.parent is not None:
            classes = [
                d
                for d in file.definitions
                if d.name == symbol.parent and d.parent is None and file.is_home(symbol)
            ]
            clash = [
                n
                for n in existing
                if any(c.start_byte <= n.start_byte < c.end_byte for c in classes)
            ]
        else:
            binds = any(file.role(n) == "name" for n in nodes)
            clash = [n for n in existing if binds and file.role(n) == "name"]
        if clash:
            line = clash[0].start_point[0] + 1
            raise RenameError(
                f"`{new_name}` already exists in {file.path.name}:{line}; choose another name"
            )


def _check_parses(file: _File, edits: tuple[TextEdit, ...], new_name: str) -> None:
    """The edited file has no more syntax errors than before, and each edit is a name."""
    # Where each edit lands in the edited text: earlier edits shift it.
    shifted, shift = [], 0
    for edit in edits:
        shifted.append(edit.start + shift)
        shift += len(edit.new_text) - (edit.end - edit.start)
    after = _File(
        file.path, ParsedSource(apply_edits(file.text, edits), file.language), file.syntax
    )
    errors_before, errors_after = _errors(file.root), _errors(after.root)
    for start in shifted:
        byte = after.byte_offset(start)
        node = after.root.named_descendant_for_byte_range(byte, byte + len(new_name.encode()))
        ok = node is not None and node.type in file.syntax.identifiers
        if not ok or after.text_of(node) != new_name or errors_after > errors_before:
            raise RenameError(f"`{new_name}` is not a valid name in {file.language.id}")


def _errors(root: Node) -> int:
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count
