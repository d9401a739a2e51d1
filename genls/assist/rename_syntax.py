"""What renaming needs to know about a language's syntax tree, read from its language.toml.

The `[rename]` table of genls/grammars/<lang>/language.toml names the tree-sitter node types that
are names, and where a name is a member (`obj.name`, `pkg.Name`, `a::b`) rather than a name
in scope. A language without the table cannot be renamed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from genls.index.languages import LanguageInfo


@dataclass(frozen=True)
class RenameSyntax:
    identifiers: frozenset[str]  # node types that are names: identifier, type_identifier...
    members: frozenset[str]  # "parent_type.field" where a name is a member: obj.name
    not_references: frozenset[str]  # "parent_type.field" where a name refers to nothing
    family: str  # languages that import each other share a family (JavaScript, TypeScript)
    module: str  # "file": a file is a module; "folder": a folder is (Go packages)


def rename_syntax(language: LanguageInfo) -> RenameSyntax | None:
    if language.directory is None or language.grammar_module is None:
        return None
    return _read(language.directory / "language.toml", language.id)


@cache  # the files are fixed for the process's life, as LANGUAGES is
def _read(toml: Path, language_id: str) -> RenameSyntax | None:
    try:
        with toml.open("rb") as file:
            table = tomllib.load(file).get("rename")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(table, dict) or not table.get("identifiers"):
        return None
    module = table.get("module", "file")
    if module not in ("file", "folder"):
        raise ValueError(f"{toml}: [rename] module must be 'file' or 'folder', not {module!r}")
    return RenameSyntax(
        identifiers=frozenset(table["identifiers"]),
        members=frozenset(table.get("members", ())),
        not_references=frozenset(table.get("not_references", ())),
        family=table.get("family", language_id),
        module=module,
    )
