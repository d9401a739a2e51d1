"""Languages genls knows: LSP languageId, file extensions, line comment, tree-sitter grammar.

Grammars come from the single-language wheels (tree-sitter-python, ...), loaded lazily and
cached on the Language object; a language whose wheel is missing still completes, without
syntax-aware decisions.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath

from tree_sitter import Language, Parser

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguageInfo:
    id: str  # the LSP languageId
    extensions: tuple[str, ...]
    line_comment: str
    grammar_module: str | None = None
    grammar_function: str = "language"
    # Lines ending with one of these open a block: the next line starts a multi-line body.
    block_openers: tuple[str, ...] = ("{",)

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
                self.grammar_module.replace("_", "-"),
            )
            return None

    def parser(self) -> Parser | None:
        grammar = self.grammar
        return Parser(grammar) if grammar is not None else None


LANGUAGES: tuple[LanguageInfo, ...] = (
    LanguageInfo("python", (".py", ".pyi"), "#", "tree_sitter_python", block_openers=(":",)),
    LanguageInfo("javascript", (".js", ".mjs", ".cjs"), "//", "tree_sitter_javascript"),
    LanguageInfo("javascriptreact", (".jsx",), "//", "tree_sitter_javascript"),
    LanguageInfo(
        "typescript", (".ts", ".mts", ".cts"), "//", "tree_sitter_typescript", "language_typescript"
    ),
    LanguageInfo("typescriptreact", (".tsx",), "//", "tree_sitter_typescript", "language_tsx"),
    LanguageInfo("go", (".go",), "//", "tree_sitter_go"),
    LanguageInfo("rust", (".rs",), "//", "tree_sitter_rust"),
    LanguageInfo("java", (".java",), "//"),
    LanguageInfo("c", (".c", ".h"), "//"),
    LanguageInfo("cpp", (".cc", ".cpp", ".cxx", ".hpp", ".hh"), "//"),
    LanguageInfo("lua", (".lua",), "--", block_openers=("then", "do", "function()")),
    LanguageInfo("ruby", (".rb",), "#", block_openers=("do", "|")),
    LanguageInfo("shellscript", (".sh", ".bash"), "#", block_openers=("then", "do", "{")),
)

_BY_ID = {lang.id: lang for lang in LANGUAGES}
_BY_EXTENSION = {ext: lang for lang in LANGUAGES for ext in lang.extensions}
PLAIN_TEXT = LanguageInfo("plaintext", (), "#", block_openers=())


def language_for(language_id: str | None, path: str) -> LanguageInfo:
    """By the editor's languageId first, then by extension; unknown files are plain text."""
    if language_id and language_id in _BY_ID:
        return _BY_ID[language_id]
    return _BY_EXTENSION.get(PurePath(path).suffix.lower(), PLAIN_TEXT)
