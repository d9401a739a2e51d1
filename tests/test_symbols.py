"""Symbols, imports and calls from the per-language tree-sitter queries under genls/grammars/."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from tree_sitter import Query

from genls.index.languages import (
    LANGUAGES,
    PLAIN_TEXT,
    QUERY_KINDS,
    grammars_directory,
    language_for,
    load_languages,
)
from genls.index.symbols import extract_symbols


@dataclass(frozen=True)
class Case:
    path: str  # picks the language by extension
    source: str
    definitions: list[tuple[str, str, str | None, int]]  # name, kind, parent, start_line
    imports: list[str]
    calls: list[str]
    docs: dict[str, str] = field(default_factory=dict)  # name -> doc, for documented ones


PYTHON = Case(
    "shop.py",
    '''"""A tiny shop."""

import os.path
from collections import OrderedDict as OD

MAX_ITEMS = 100
default_name = "basket"


class Basket:
    """A basket of items."""

    def total(self) -> int:
        """Total price."""
        return sum(item.price for item in self.items)


def receipt(basket: Basket) -> str:
    return format_price(basket.total())
''',
    definitions=[
        ("MAX_ITEMS", "constant", None, 5),
        ("Basket", "class", None, 9),
        ("total", "method", "Basket", 12),
        ("receipt", "function", None, 17),
    ],
    imports=["os.path", "collections"],
    calls=["sum", "format_price", "total"],
    docs={"Basket": "A basket of items.", "total": "Total price."},
)

JAVASCRIPT = Case(
    "shop.js",
    """import { formatPrice } from "./format.js";
const fs = require("node:fs");

export const MAX_ITEMS = 100;

/** A basket of items. */
export class Basket {
  // Total price.
  total() {
    return this.items.reduce((sum, item) => sum + item.price, 0);
  }
}

function receipt(basket) {
  return formatPrice(basket.total());
}
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 3),
        ("Basket", "class", None, 6),
        ("total", "method", "Basket", 8),
        ("receipt", "function", None, 13),
    ],
    imports=["./format.js", "node:fs"],
    calls=["require", "reduce", "formatPrice", "total"],
    docs={"Basket": "A basket of items.", "total": "Total price."},
)

TYPESCRIPT_SOURCE = """import { Item } from "./item";

export const TAX_RATE = 0.2;

export interface Priced {
  price(): number;
}

/** A basket of items. */
export class Basket implements Priced {
  private items: Item[] = [];

  /** Total price. */
  price(): number {
    return sum(this.items.map((item) => item.price()));
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
"""
TYPESCRIPT_DEFINITIONS = [
    ("TAX_RATE", "constant", None, 2),
    ("Priced", "type", None, 4),
    ("price", "method", "Priced", 5),
    ("Basket", "class", None, 9),
    ("price", "method", "Basket", 13),
    ("sum", "function", None, 18),
]
TYPESCRIPT = Case(
    "shop.ts",
    TYPESCRIPT_SOURCE,
    definitions=TYPESCRIPT_DEFINITIONS,
    imports=["./item"],
    calls=["sum", "map", "price", "reduce"],
    docs={"Basket": "A basket of items."},
)

TSX = Case(
    "view.tsx",
    TYPESCRIPT_SOURCE
    + """
export const Total = ({ basket }: { basket: Basket }) => <b>{format(basket.price())}</b>;
""",
    definitions=[*TYPESCRIPT_DEFINITIONS, ("Total", "function", None, 22)],
    imports=["./item"],
    calls=["sum", "map", "price", "reduce", "format", "price"],
    docs={"Basket": "A basket of items."},
)

GO = Case(
    "shop.go",
    """package shop

import (
	"fmt"
	"strings"
)

// MaxItems caps a basket.
const MaxItems = 100

// Basket holds items.
type Basket struct {
	items []int
}

// Total sums the prices.
func (b *Basket) Total() int {
	return sum(b.items)
}

func Receipt(b *Basket) string {
	return fmt.Sprintf("%d", b.Total())
}
""",
    definitions=[
        ("MaxItems", "constant", None, 8),
        ("Basket", "type", None, 11),
        ("Total", "method", "Basket", 16),
        ("Receipt", "function", None, 20),
    ],
    imports=["fmt", "strings"],
    calls=["sum", "Sprintf", "Total"],
    docs={"MaxItems": "MaxItems caps a basket.", "Total": "Total sums the prices."},
)

RUST = Case(
    "shop.rs",
    """use std::collections::HashMap;

/// Largest basket.
pub const MAX_ITEMS: usize = 100;

/// A basket of items.
#[derive(Debug)]
pub struct Basket {
    items: Vec<u32>,
}

impl Basket {
    /// Total price.
    pub fn total(&self) -> u32 {
        sum(self.items.iter())
    }
}

fn sum<'a>(xs: impl Iterator<Item = &'a u32>) -> u32 {
    xs.copied().sum()
}
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 3),
        ("Basket", "type", None, 7),
        ("total", "method", "Basket", 13),
        ("sum", "function", None, 18),
    ],
    imports=["std::collections::HashMap"],
    calls=["sum", "iter", "copied", "sum"],
    docs={"Basket": "A basket of items.", "total": "Total price.", "MAX_ITEMS": "Largest basket."},
)

JAVA = Case(
    "Basket.java",
    """package shop;

import java.util.List;

/** A basket of items. */
public class Basket {
    public static final int MAX_ITEMS = 100;
    private List<Item> items;

    /**
     * Total price.
     */
    public int total() {
        return sum(items);
    }

    static int sum(List<Item> items) {
        return items.stream().mapToInt(Item::price).sum();
    }
}
""",
    definitions=[
        ("Basket", "class", None, 5),
        ("MAX_ITEMS", "constant", None, 6),
        ("total", "method", "Basket", 12),
        ("sum", "method", "Basket", 16),
    ],
    imports=["java.util.List"],
    calls=["sum", "stream", "mapToInt", "sum"],
    docs={"Basket": "A basket of items.", "total": "Total price."},
)

C = Case(
    "shop.c",
    """#include <stdio.h>
#include "shop.h"

#define MAX_ITEMS 100

/* A basket of items. */
struct basket {
    int count;
};

// Total price of the basket.
int basket_total(const struct basket *b) {
    return sum(b->count);
}

static int sum(int count) {
    return printf("%d", count);
}
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 3),
        ("basket", "type", None, 6),
        ("basket_total", "function", None, 11),
        ("sum", "function", None, 15),
    ],
    imports=["stdio.h", "shop.h"],
    calls=["sum", "printf"],
    docs={"basket": "A basket of items.", "basket_total": "Total price of the basket."},
)

CPP = Case(
    "shop.cpp",
    """#include <vector>

namespace shop {

constexpr int MAX_ITEMS = 100;

/// A basket of items.
class Basket {
public:
    /// Total price.
    int total() const;
    void add(int price) { items_.push_back(price); }

private:
    std::vector<int> items_;
};

int Basket::total() const {
    return sum(items_);
}

int sum(const std::vector<int>& xs) {
    return std::accumulate(xs.begin(), xs.end(), 0);
}

}  // namespace shop
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 4),
        ("Basket", "class", None, 7),
        ("add", "method", "Basket", 11),
        ("total", "method", "Basket", 17),
        ("sum", "function", None, 21),
    ],
    imports=["vector"],
    calls=["push_back", "sum", "accumulate", "begin", "end"],
    docs={"Basket": "A basket of items."},
)

LUA = Case(
    "shop.lua",
    """local json = require("json")

local MAX_ITEMS <const> = 100

--- A basket of items.
local Basket = {}

--- Total price.
function Basket:total()
  return sum(self.items)
end

local function sum(xs)
  local total = 0
  for _, x in ipairs(xs) do total = total + x end
  return total
end

function receipt(basket)
  print(json.encode(basket:total()))
end
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 2),
        ("Basket", "class", None, 5),
        ("total", "method", "Basket", 8),
        ("sum", "function", None, 12),
        ("receipt", "function", None, 18),
    ],
    imports=["json"],
    calls=["require", "sum", "ipairs", "print", "encode", "total"],
    docs={"Basket": "A basket of items.", "total": "Total price."},
)

RUBY = Case(
    "shop.rb",
    """require "json"
require_relative "lib/item"

MAX_ITEMS = 100

# A basket of items.
class Basket
  # Total price.
  def total
    sum(@items.map(&:price))
  end
end

def receipt(basket)
  puts JSON.generate(basket.total)
end
""",
    definitions=[
        ("MAX_ITEMS", "constant", None, 3),
        ("Basket", "class", None, 6),
        ("total", "method", "Basket", 8),
        ("receipt", "function", None, 13),
    ],
    imports=["json", "lib/item"],
    calls=["require", "require_relative", "sum", "map", "puts", "generate", "total"],
    docs={"Basket": "A basket of items.", "total": "Total price."},
)

CASES = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "typescript": TYPESCRIPT,
    "typescriptreact": TSX,
    "go": GO,
    "rust": RUST,
    "java": JAVA,
    "c": C,
    "cpp": CPP,
    "lua": LUA,
    "ruby": RUBY,
}


def _has_queries(language) -> bool:
    return any((language.directory / f"{kind}.scm").is_file() for kind in QUERY_KINDS)


def test_every_language_with_queries_has_a_case():
    assert {lang.id for lang in LANGUAGES if _has_queries(lang)} == set(CASES)


@pytest.mark.parametrize("language_id", sorted(CASES))
def test_symbols_imports_and_calls(language_id):
    case = CASES[language_id]
    language = language_for(None, case.path)
    assert language.id == language_id
    found = extract_symbols(case.source, language)
    assert [(d.name, d.kind, d.parent, d.start_line) for d in found.definitions] == (
        case.definitions
    )
    assert list(found.imports) == case.imports
    assert [call.name for call in found.calls] == case.calls
    docs = {d.name: d.doc for d in found.definitions if d.name in case.docs}
    assert docs == case.docs


@pytest.mark.parametrize("language_id", sorted(CASES))
def test_lines_and_bytes_agree_with_the_text(language_id):
    case = CASES[language_id]
    found = extract_symbols(case.source, language_for(None, case.path))
    data = case.source.encode()
    for definition in found.definitions:
        assert data[: definition.start_byte].count(b"\n") == definition.start_line
        assert data[: definition.end_byte].rstrip(b"\n").count(b"\n") == definition.end_line
        assert definition.name.encode() in data[definition.start_byte : definition.end_byte]
        assert definition.signature and len(definition.signature) <= 200


@pytest.mark.parametrize(
    ("language", "kind"),
    [
        (lang, kind)
        for lang in LANGUAGES
        if lang.directory is not None
        for kind in QUERY_KINDS
        if (lang.directory / f"{kind}.scm").is_file()
    ],
    ids=lambda value: value if isinstance(value, str) else value.id,
)
def test_every_query_compiles_against_its_grammar(language, kind):
    assert language.grammar is not None, f"pip install {language.package}"
    source = (language.directory / f"{kind}.scm").read_text()
    Query(language.grammar, source)  # raises QueryError with the offending position
    assert language.query(kind) is language.query(kind)  # compiled once


def test_python_details():
    found = extract_symbols(PYTHON.source, language_for("python", "shop.py"))
    total = next(d for d in found.definitions if d.name == "total")
    assert total.signature == "def total(self) -> int:"
    assert (total.start_line, total.end_line) == (12, 14)
    receipt = next(d for d in found.definitions if d.name == "receipt")
    assert receipt.doc is None
    assert [(c.name, c.caller) for c in found.calls] == [
        ("sum", "total"),
        ("format_price", "receipt"),
        ("total", "receipt"),
    ]


def test_decorated_and_nested_python_definitions():
    source = """@dataclass
class Point:
    @property
    def norm(self):
        def square(v):
            return v * v
        return square(self.x)
"""
    found = extract_symbols(source, language_for("python", "p.py"))
    assert [(d.name, d.kind, d.parent, d.start_line) for d in found.definitions] == [
        ("Point", "class", None, 0),
        ("norm", "method", "Point", 2),
        ("square", "function", None, 4),
    ]
    assert found.definitions[1].signature == "def norm(self):"
    assert [(c.name, c.caller) for c in found.calls] == [("square", "norm")]


def test_offsets_are_utf8_bytes():
    source = '"""Café ☕ — menus."""\n\n\ndef brew(cup: str = "☕") -> str:\n    return pour(cup)\n'
    found = extract_symbols(source, language_for("python", "cafe.py"))
    (brew,) = found.definitions
    data = source.encode()
    assert brew.start_byte == data.index(b"def brew") and brew.end_byte == len(data) - 1
    assert brew.start_line == 3 and brew.signature == 'def brew(cup: str = "☕") -> str:'


def test_syntax_errors_keep_what_can_be_parsed():
    source = """import os

class Basket:
    def total(self):
        return 1

    def broken(self:
        pass

def receipt(basket):
    return format_price(basket)
"""
    found = extract_symbols(source, language_for("python", "shop.py"))
    names = [d.name for d in found.definitions]
    assert {"Basket", "total", "receipt"} <= set(names)
    assert found.imports == ("os",)
    assert ("format_price", "receipt") in [(c.name, c.caller) for c in found.calls]


def test_languages_without_grammar_have_no_symbols():
    shell = language_for("shellscript", "run.sh")
    assert shell.grammar is None and shell.query("symbols") is None
    assert extract_symbols("f() { echo hi; }\n", shell).definitions == ()
    assert extract_symbols("x = 1\n", PLAIN_TEXT).definitions == ()


def test_unknown_query_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown query kind"):
        language_for("python", "x.py").query("highlights")


def test_language_for_maps_ids_aliases_and_extensions():
    assert language_for("python", "anything.txt").id == "python"
    assert language_for(None, "pkg/mod.pyi").id == "python"
    assert language_for("javascriptreact", "App.jsx").id == "javascript"
    assert language_for(None, "App.JSX").id == "javascript"
    assert language_for(None, "view.tsx").id == "typescriptreact"
    assert language_for("typescriptreact", "view.tsx").grammar_function == "language_tsx"
    assert language_for(None, "notes.unknown") is PLAIN_TEXT
    assert language_for("made-up", "notes") is PLAIN_TEXT


def test_languages_table_keeps_its_shape():
    assert isinstance(LANGUAGES, tuple)
    python = language_for("python", "x.py")
    assert (python.line_comment, python.block_openers) == ("#", (":",))
    assert python.grammar_module == "tree_sitter_python" and python.package == "tree-sitter-python"
    lua = language_for("lua", "x.lua")
    assert (lua.line_comment, lua.block_openers) == ("--", ("then", "do", "function()"))
    assert language_for("shellscript", "x.sh").grammar_module is None


def test_a_language_is_a_folder(tmp_path, monkeypatch):
    folder = tmp_path / "python"
    folder.mkdir()
    (folder / "language.toml").write_text(
        'id = "python"\nextensions = [".py"]\nline_comment = "#"\n'
        'grammar_module = "tree_sitter_python"\n'
    )
    (folder / "calls.scm").write_text("(call function: (identifier) @name) @call\n")
    (python,) = load_languages(tmp_path)
    assert (python.id, python.grammar_function, python.block_openers) == (
        "python",
        "language",
        ("{",),
    )
    assert python.query("symbols") is None  # no symbols.scm: no definitions, calls still work
    found = extract_symbols("def f():\n    g()\n", python)
    assert found.definitions == () and [c.name for c in found.calls] == ["g"]
    monkeypatch.setenv("GENLS_GRAMMARS", str(tmp_path))
    assert grammars_directory() == tmp_path


def test_a_language_toml_needs_an_id(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "language.toml").write_text('extensions = [".x"]\n')
    with pytest.raises(ValueError, match="missing field 'id'"):
        load_languages(tmp_path)
