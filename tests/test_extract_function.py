"""Extract into function: parameters and return values inferred exactly, invalid selections
refused with the right message, and over LSP a fixture package whose own tests still pass."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from genls.assist.extract_function import ExtractError, extract_function
from tests.conftest import TINY_MODEL, open_document, server_config, start_session

PRICING = '''"""Prices of a basket."""

import math

LIMIT = 10


def basket_total(items, rate):
    total = 0
    count = 0
    for name, price, qty in items:
        cost = price * qty
        if cost > LIMIT:
            cost = cost * rate
        total += cost
        count += 1
    mean = total / max(count, 1)
    return round(total, 2), round(mean, 2), count


class Basket:
    def __init__(self, items):
        self.items = items

    def summary(self, rate):
        names = sorted(name for name, _, _ in self.items)
        label = ", ".join(names)
        value = basket_total(self.items, rate)[0]
        note = """total
  of the basket"""
        return f"{label}: {value} {note.split()[0]}"


def lines(items):
    out = []
    for name, price, qty in items:
        if qty == 0:
            continue
        scale = lambda p: p * qty  # noqa: E731
        out.append(f"{name} {scale(price)}")
    return out


def ceiling(values):
    result = [math.ceil(v) for v in values]
    return result
'''

PRICING_TESTS = """from shop.pricing import Basket, basket_total, ceiling, lines

ITEMS = [("pen", 2.0, 3), ("book", 12.0, 1), ("cup", 4.0, 0)]


def test_total():
    assert basket_total(ITEMS, 0.5) == (12.0, 4.0, 3)


def test_summary():
    assert Basket(ITEMS).summary(0.5) == "book, cup, pen: 12.0 total"


def test_lines():
    assert lines(ITEMS) == ["pen 6.0", "book 12.0"]


def test_ceiling():
    assert ceiling([1.2, 2.0]) == [2, 2]
"""


def select(text: str, first: str, last: str) -> tuple[int, int]:
    """From the start of the line holding `first` to the end of the line holding `last`."""
    start = text.rfind("\n", 0, text.index(first)) + 1
    end = text.index("\n", text.index(last, start)) + 1
    return start, end


@pytest.mark.parametrize(
    ("first", "last", "parameters", "returns"),
    [
        # In a loop: cost is read after; price, qty are the loop's targets; rate a parameter.
        ("cost = price * qty", "cost = cost * rate", ("price", "qty", "rate"), ("cost",)),
        # total and count are read before (next iteration) and after: passed and returned.
        ("total += cost", "count += 1", ("total", "cost", "count"), ("total", "count")),
        # The whole loop: items is read; the loop's own targets are not parameters.
        (
            "for name, price, qty in items:\n        cost",
            "count += 1",
            ("items", "rate", "total", "count"),
            ("total", "count"),
        ),
        # Assigned before being read in the selection: not parameters.
        ("total = 0", "count = 0", (), ("total", "count")),
        # A module global (LIMIT) and a builtin (max) are never parameters.
        ("mean = total", "mean = total", ("total", "count"), ("mean",)),
        # self is an ordinary parameter; the generator's `name` is its own.
        ("names = sorted", "value = basket", ("self", "rate"), ("label", "value")),
        # A lambda's parameter is its own; qty, name and price come from the loop.
        ("scale = lambda", "out.append", ("qty", "out", "name", "price"), ()),
        # A comprehension's variable is its own; math is a module global.
        ("result = [", "result = [", ("values",), ("result",)),
    ],
)
def test_parameters_and_returns_are_inferred_exactly(first, last, parameters, returns):
    start, end = select(PRICING, first, last)
    extraction = extract_function(PRICING, start, end)
    assert (extraction.parameters, extraction.returns) == (parameters, returns)
    compile(extraction.text, "pricing.py", "exec")


def test_the_new_function_follows_the_top_level_definition_and_keeps_strings():
    start, end = select(PRICING, "names = sorted", 'of the basket"""')
    extraction = extract_function(PRICING, start, end, "describe")
    assert extraction.parameters == ("self", "rate")
    assert extraction.returns == ("label", "value", "note")
    expected_call = "        label, value, note = describe(self, rate)\n"
    assert expected_call in extraction.text
    definition = textwrap.dedent('''
        def describe(self, rate):
            names = sorted(name for name, _, _ in self.items)
            label = ", ".join(names)
            value = basket_total(self.items, rate)[0]
            note = """total
          of the basket"""
            return label, value, note
        ''')
    # Right after the class, before the next top-level function.
    after_class = extraction.text.index('{note.split()[0]}"\n') + len('{note.split()[0]}"\n')
    assert extraction.text[after_class:].startswith(
        "\n\n" + definition.lstrip("\n") + "\n\ndef lines"
    )
    module = ast.parse(extraction.text)
    assert [n.name for n in module.body if isinstance(n, ast.FunctionDef)] == [
        "basket_total",
        "describe",
        "lines",
        "ceiling",
    ]


def test_a_conditionally_assigned_name_is_also_passed_in():
    source = "def f(x, flag):\n    y = x\n    if flag:\n        y = 2\n    return y\n"
    start, end = select(source, "if flag", "y = 2")
    extraction = extract_function(source, start, end)
    assert (extraction.parameters, extraction.returns) == (("flag", "y"), ("y",))


def test_await_makes_an_async_function():
    source = "async def f(client):\n    data = await client.get()\n    return data\n"
    start, end = select(source, "data = await", "data = await")
    extraction = extract_function(source, start, end)
    assert "    data = await extracted(client)\n" in extraction.text
    assert "async def extracted(client):\n" in extraction.text


@pytest.mark.parametrize(
    ("source", "first", "last", "message"),
    [
        (PRICING, "cost = price * qty", "if cost > LIMIT", "whole statements"),  # cuts the if
        (PRICING, "mean = total", "return round(total", "`return`"),
        (PRICING, "if qty == 0", "continue", "`continue` outside a loop"),
        ("def g(xs):\n    for x in xs:\n        yield x\n", "yield x", "yield x", "`yield`"),
        ("def g():\n    global N\n    N = 1\n", "global N", "N = 1", "`nonlocal` or `global`"),
        (PRICING, "LIMIT = 10", "LIMIT = 10", "inside a function"),
        (PRICING + "def broken(:\n    pass\n", "total = 0", "count = 0", "syntax errors"),
        (
            "class A(B):\n    def f(self):\n        x = super().f()\n        return x\n",
            "x = super",
            "x = super",
            "super()",
        ),
        (
            "class A:\n    def f(self):\n        y = self.__secret\n        return y\n",
            "y = self",
            "y = self",
            "private name __secret",
        ),
    ],
)
def test_invalid_selections_are_refused(source, first, last, message):
    start, end = select(source, first, last)
    with pytest.raises(ExtractError, match=message):
        extract_function(source, start, end)


def test_a_selection_inside_a_statement_is_refused():
    start = PRICING.index("price * qty")
    with pytest.raises(ExtractError, match="the selection must be whole statements"):
        extract_function(PRICING, start, start + len("price * qty"))


def test_a_name_already_taken_is_refused():
    start, end = select(PRICING, "total = 0", "count = 0")
    with pytest.raises(ExtractError, match="`lines` already exists"):
        extract_function(PRICING, start, end, "lines")
    with pytest.raises(ExtractError, match="not a valid function name"):
        extract_function(PRICING, start, end, "class")


# -- over LSP: the fixture's own tests still pass ---------------------------------------------


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace: Path):
    (workspace / "shop").mkdir()
    (workspace / "shop" / "__init__.py").write_text("")
    (workspace / "shop" / "pricing.py").write_text(PRICING)
    (workspace / "checks").mkdir()
    (workspace / "checks" / "test_pricing.py").write_text(PRICING_TESTS)
    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"model": TINY_MODEL, "maxTokens": 8, "prewarm": False, "index": False},
    )
    yield
    await lsp_client.shutdown_session()


def run_fixture_tests(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "checks"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lsp_range(text: str, start: int, end: int) -> types.Range:
    def position(offset: int) -> types.Position:
        line = text.count("\n", 0, offset)
        return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))

    return types.Range(start=position(start), end=position(end))


async def code_actions(client: LanguageClient, uri: str, selection: types.Range):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=selection,
            context=types.CodeActionContext(diagnostics=[], only=["refactor.extract"]),
        )
    )


def apply_lsp(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def test_extract_over_lsp_keeps_the_fixture_tests_passing(client, workspace: Path):
    before = run_fixture_tests(workspace)
    assert before.returncode == 0, before.stdout + before.stderr
    path = workspace / "shop" / "pricing.py"
    uri = path.as_uri()
    text = PRICING
    open_document(client, uri, text)

    # Not offered for part of a statement, nor outside a function.
    start = text.index("price * qty")
    assert not await code_actions(client, uri, lsp_range(text, start, start + 11))
    start, end = select(text, "LIMIT = 10", "LIMIT = 10")
    assert not await code_actions(client, uri, lsp_range(text, start, end))

    # Two extractions, one after the other, as a user would: a loop body, then a method body.
    for first, last in [
        ("cost = price * qty", "count += 1"),
        ("names = sorted", 'of the basket"""'),
    ]:
        start, end = select(text, first, last)
        actions = await code_actions(client, uri, lsp_range(text, start, end))
        assert [(a.title, a.kind) for a in actions] == [
            ("Extract into function", "refactor.extract.function")
        ]
        edits = actions[0].edit.changes[uri]
        text = apply_lsp(text, edits)
        compile(text, str(path), "exec")
        path.write_text(text)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        after = run_fixture_tests(workspace)
        assert after.returncode == 0, text + after.stdout + after.stderr
    # The default name was taken by the first extraction: the second got another.
    assert "def extracted(" in text and "def extracted_2(self, rate):" in text


def test_a_decorated_closure_with_tabs_moves_whole_and_keeps_working():
    source = (
        "import functools\n\n\ndef f(xs):\n\tk = 2\n\t@functools.cache\n\tdef g(x):\n"
        "\t\treturn x * k\n\tys = [g(x) for x in xs]\n\treturn ys\n"
    )
    start, end = select(source, "@functools", "ys = [")
    extraction = extract_function(source, start, end)
    # k is read by the closure: a parameter; g's own `return` is not the selection's.
    assert (extraction.parameters, extraction.returns) == (("k", "xs"), ("ys",))
    assert "\tys = extracted(k, xs)\n" in extraction.text
    assert "def extracted(k, xs):\n\t@functools.cache\n\tdef g(x):\n" in extraction.text
    namespace: dict = {}
    exec(compile(extraction.text, "f.py", "exec"), namespace)
    assert namespace["f"]([1, 2]) == [2, 4]
