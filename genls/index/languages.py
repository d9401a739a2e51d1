"""Languages genls knows: LSP languageId, file extensions, line comment, tree-sitter grammar.

Each language is a folder under genls/grammars/ (package data; or $GENLS_GRAMMARS): a
language.toml describing it and optional tree-sitter queries (symbols.scm, imports.scm,
calls.scm, classes.scm).
Grammars come from the single-language wheels (tree-sitter-python, ...), loaded lazily and
cached on the LanguageInfo; a language whose wheel is missing still completes, without
syntax-aware decisions.
"""

from __future__ import annotations

import importlib
import logging
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path, PurePath

from tree_sitter import Language, Parser, Query, QueryError

log = logging.getLogger(__name__)

QUERY_KINDS = ("symbols", "imports", "calls", "classes")


@dataclass(frozen=True)
class LanguageInfo:
    id: str  # the LSP languageId
    extensions: tuple[str, ...]
    line_comment: str
    grammar_module: str | None = None
    grammar_function: str = "language"
    # Lines ending with one of these open a block: the next line starts a multi-line body.
    block_openers: tuple[str, ...] = ("{",)
    aliases: tuple[str, ...] = ()  # other languageIds editors use for the same grammar
    package: str | None = None  # the pip package providing grammar_module
    docstrings: bool = False  # a body's leading string literal documents it (Python)
    # How generated documentation is written: python, jsdoc, godoc, rustdoc, javadoc, doxygen.
    doc_style: str | None = None
    directory: Path | None = None  # the genls/grammars/<lang> folder holding the queries

    @cached_property
    def grammar(self) -> Language | None:
        if self.grammar_module is None:
            return None
        try:
            module = importlib.import_module(self.grammar_module)
            return Language(getattr(module, self.grammar_function)())
        except (ImportError, AttributeError, ValueError) as exc:
            log.warning(
                "no tree-sitter grammar for %s (%s): pip install %s",
                self.id,
                exc,
                self.package or self.grammar_module.replace("_", "-"),
            )
            return None

    def parser(self) -> Parser | None:
        grammar = self.grammar
        return Parser(grammar) if grammar is not None else None

    def query(self, kind: str) -> Query | None:
        """The compiled <kind>.scm query; None without a grammar or without the file."""
        if kind not in QUERY_KINDS:
            raise ValueError(f"unknown query kind {kind!r}, expected one of {QUERY_KINDS}")
        if kind not in self._queries:
            self._queries[kind] = self._compile_query(kind)
        return self._queries[kind]

    @cached_property
    def _queries(self) -> dict[str, Query | None]:
        return {}

    def _compile_query(self, kind: str) -> Query | None:
        grammar = self.grammar
        path = self.directory / f"{kind}.scm" if self.directory else None
        if grammar is None or path is None or not path.is_file():
            return None
        try:
            return Query(grammar, _query_source(path))
        except (QueryError, OSError) as exc:
            # A broken query must not take the server down; the language loses that feature.
            log.warning("invalid tree-sitter query %s: %s", path, exc)
            return None


def _query_source(path: Path, seen: frozenset[Path] = frozenset()) -> str:
    """The query text, after the queries its first line inherits (`; inherits: typescript`
    takes ../typescript/<same kind>.scm first), as nvim-treesitter's query files do."""
    text = path.read_text(encoding="utf-8")
    first_line = text.split("\n", 1)[0]
    if not first_line.startswith(_INHERITS) or path in seen:
        return text
    parents = [name.strip() for name in first_line[len(_INHERITS) :].split(",") if name.strip()]
    inherited = [
        _query_source(path.parent.parent / name / path.name, seen | {path}) for name in parents
    ]
    return "\n".join([*inherited, text])


_INHERITS = "; inherits:"


def grammars_directory() -> Path:
    """$GENLS_GRAMMARS, else the grammars that ship inside the genls package."""
    override = os.environ.get("GENLS_GRAMMARS")
    return Path(override) if override else Path(str(files("genls") / "grammars"))


def load_language(directory: Path) -> LanguageInfo:
    """The LanguageInfo described by directory/language.toml."""
    with (directory / "language.toml").open("rb") as file:
        spec = tomllib.load(file)
    try:
        return LanguageInfo(
            id=spec["id"],
            extensions=tuple(ext.lower() for ext in spec.get("extensions", ())),
            line_comment=spec["line_comment"],
            grammar_module=spec.get("grammar_module"),
            grammar_function=spec.get("grammar_function", "language"),
            block_openers=tuple(spec.get("block_openers", ("{",))),
            aliases=tuple(spec.get("aliases", ())),
            package=spec.get("package"),
            docstrings=spec.get("docstrings", False),
            doc_style=spec.get("doc_style"),
            directory=directory,
        )
    except KeyError as exc:
        raise ValueError(f"{directory / 'language.toml'}: missing field {exc}") from exc


def load_languages(root: Path) -> tuple[LanguageInfo, ...]:
    languages = tuple(load_language(toml.parent) for toml in sorted(root.glob("*/language.toml")))
    if not languages:
        log.warning("no languages under %s: every file is plain text", root)
    return languages


def _unique(pairs: list[tuple[str, LanguageInfo]]) -> dict[str, LanguageInfo]:
    """A lookup table; two folders claiming one languageId or extension is a mistake."""
    table: dict[str, LanguageInfo] = {}
    for key, lang in pairs:
        if key in table:
            raise ValueError(f"{key!r} is claimed by both {table[key].id} and {lang.id}")
        table[key] = lang
    return table


LANGUAGES: tuple[LanguageInfo, ...] = load_languages(grammars_directory())

_BY_ID = _unique([(name, lang) for lang in LANGUAGES for name in (lang.id, *lang.aliases)])
_BY_EXTENSION = _unique([(ext, lang) for lang in LANGUAGES for ext in lang.extensions])
PLAIN_TEXT = LanguageInfo("plaintext", (), "#", block_openers=())


def language_for(language_id: str | None, path: str) -> LanguageInfo:
    """By the editor's languageId (or an alias) first, then by extension; else plain text."""
    if language_id and language_id in _BY_ID:
        return _BY_ID[language_id]
    return _BY_EXTENSION.get(PurePath(path).suffix.lower(), PLAIN_TEXT)
