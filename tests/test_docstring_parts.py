"""The deterministic parts of docstrings and refactors: what the tree says about a definition,
how each convention is written and read back, edits and their syntax check, reading replies."""

from __future__ import annotations

import pytest

from genls.assist.doc_styles import DocContent, DocFacts, documented_parameters, render
from genls.assist.doc_target import DocTargetError, find_targets, signatures, target_at
from genls.assist.docstring import _content
from genls.assist.edit_check import check_edited, line_edit, syntax_errors
from genls.assist.model_reply import ReplyError, code_block, json_object
from genls.assist.refactor import RefactorError, region_for
from genls.assist.text_edit import apply_edits
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource

PYTHON = '''\
class Store:
    def get(self, key: str, default: int = 0, *extra, strict=False, **options) -> int:
        """Old summary.

        Args:
            key: The key.
            fallback: Gone.
        """
        def helper():
            raise KeyError(key)
        if strict:
            raise LookupError(key)
        return default


def numbers(limit):
    # counts up
    yield from range(limit)
'''

TYPESCRIPT = """\
// a plain comment, not documentation
/** Clamp. */
export function clamp(value: number, low?: number, ...rest: number[]): number {
  if (low === undefined) throw new RangeError("low");
  return value;
}
"""

GO = """\
package m

// Sum adds.
func (c *Counter) Sum(a, b int, more ...int) (int, error) {
\treturn a + b, nil
}
"""

RUST = """\
/// Adds.
#[inline]
pub fn add(a: i32, (b, c): (i32, i32)) -> i32 {
    a + b + c
}

impl Counter {
    fn bump(&mut self) {}
}
"""


def facts(text: str, path: str) -> dict[str, tuple]:
    return {
        t.name: (t.parameters, t.returns, t.raises, t.insert_line, t.indent, t.existing)
        for t in find_targets(ParsedSource(text, language_for(None, path)))
    }


def test_python_definition_facts():
    found = facts(PYTHON, "a.py")
    assert found["Store"] == ((), None, (), 1, "    ", None)
    # The receiver is not a parameter; the nested helper's KeyError is not get's.
    assert found["get"] == (
        ("key", "default", "extra", "strict", "options"),
        "returns",
        ("LookupError",),
        2,
        "        ",
        (2, 7),
    )
    assert found["numbers"] == (("limit",), "yields", (), 17, "    ", None)


def test_comment_styles_find_doc_comments_and_signatures():
    ts = facts(TYPESCRIPT, "a.ts")["clamp"]
    assert ts == (("value", "low", "rest"), "returns", ("RangeError",), 1, "", (1, 1))
    go = facts(GO, "a.go")["Sum"]
    assert go == (("a", "b", "more"), "returns", (), 2, "", (2, 2))
    rust = facts(RUST, "a.rs")
    assert rust["add"] == (("a", "(b, c)"), "returns", (), 0, "", (0, 0))
    assert rust["bump"][0] == ()  # &mut self is the receiver


def test_target_at_picks_the_innermost_definition_and_refuses_elsewhere():
    python = language_for("python", "a.py")
    source = ParsedSource(PYTHON, python)
    assert target_at(source, 12).name == "get"
    assert target_at(source, 0).name == "Store"
    with pytest.raises(DocTargetError, match="not inside a function"):
        target_at(source, 14)
    with pytest.raises(DocTargetError, match="syntax error at line 3: fix it first"):
        target_at(ParsedSource("def f(a):\n    return a\nx = (\n", python), 0)
    with pytest.raises(DocTargetError, match="does not write documentation"):
        target_at(ParsedSource("print(1)\n", language_for("lua", "a.lua")), 0)


CONTENT = DocContent(
    summary="Return the value stored under a key, or a default when there is none at all.",
    params={"key": "Which value.", "default": "What to return when the key is missing."},
    returns="The stored value.",
    raises={"LookupError": "If strict and the key is missing."},
)


@pytest.mark.parametrize(
    "style", ["google", "numpy", "sphinx", "jsdoc", "javadoc", "doxygen", "rustdoc"]
)
def test_each_style_reads_back_exactly_the_parameters_it_wrote(style):
    block = render(style, CONTENT, DocFacts("get", "method"), "    ", 60)
    assert documented_parameters(style, block) == ["key", "default"]
    assert all(len(line) <= 60 for line in block.split("\n"))
    assert "stored value" in block
    if style != "rustdoc":
        assert "LookupError" in block


def test_go_doc_comments_start_with_the_name():
    block = render("godoc", CONTENT, DocFacts("Get", "function"), "", 80)
    assert block.startswith("// Get return")
    assert documented_parameters("godoc", block) is None


def test_one_line_python_docstring():
    block = render("google", DocContent("Say hello."), DocFacts("hi", "function"), "    ", 88)
    assert block == '    """Say hello."""\n'


def test_existing_docstrings_are_read_in_all_three_python_styles():
    google = "Args:\n    a (int): x\n    b: y\n        more about b\n\nReturns:\n    z"
    numpy = "Sum.\n\nParameters\n----------\na : int\n    x\nb\n    y\n\nReturns\n-------\nint"
    sphinx = ":param a: x\n:param int b: y\n:returns: z"
    for doc in (google, numpy, sphinx):
        assert documented_parameters("google", doc) == ["a", "b"]
    assert documented_parameters("google", "Just a summary.") is None


def test_reply_validation_names_what_is_wrong():
    target = target_at(ParsedSource(PYTHON, language_for("python", "a.py")), 2)
    good = (
        'Sure! ```json\n{"summary": "get a value", "params": {"key": "k", "default": "d", '
        '"extra": "e", "strict": "s", "options": "o", "invented": "x"}, "returns": "the value", '
        '"raises": {"LookupError": "when strict", "OSError": "never"}}\n```'
    )
    content = _content(good, target)
    assert list(content.params) == ["key", "default", "extra", "strict", "options"]
    assert content.summary == "Get a value."
    assert list(content.raises) == ["LookupError"]  # only what the code raises
    with pytest.raises(ReplyError, match="no description for parameter"):
        _content('{"summary": "s", "params": {"key": "k"}, "returns": "r"}', target)
    with pytest.raises(ReplyError, match="no JSON object"):
        _content("This function gets a value.", target)
    with pytest.raises(ReplyError, match="returns"):
        _content(
            '{"summary": "s", "params": {"key": "k", "default": "d", "extra": "e", '
            '"strict": "s", "options": "o"}, "raises": {"LookupError": "x"}}',
            target,
        )


def test_model_reply_helpers():
    assert json_object('{"a": 1}') == {"a": 1}
    with pytest.raises(ReplyError, match="not valid JSON"):
        json_object('{"a": }')
    assert code_block("Here:\n```python\nx = 1\n```\nDone.") == "x = 1\n"
    with pytest.raises(ReplyError, match="several code blocks"):
        code_block("```py\na\n```\n```py\nb\n```")


def test_line_edits_and_the_syntax_check():
    python = language_for("python", "a.py")
    text = "def f():\n    return 1\n"
    docstring = line_edit(text, 1, 1, '    """One."""\n')
    assert apply_edits(text, [docstring]) == 'def f():\n    """One."""\n    return 1\n'
    assert check_edited(ParsedSource(text, python), apply_edits(text, [docstring]), "a.py") is None
    broken = apply_edits(text, [line_edit(text, 1, 2, "    return (\n")])
    assert apply_edits("a", [line_edit("a", 1, 1, "b\n")]) == "a\nb\n"  # after a last line
    assert "syntax error" in check_edited(ParsedSource(text, python), broken, "a.py")
    # Errors that were there before are not the edit's fault.
    already_broken = ParsedSource("def f(:\n", python)
    assert syntax_errors(already_broken) > 0
    assert check_edited(already_broken, "def f(:\n# c\n", "a.py") is None


def test_refactor_regions_are_whole_statements_or_the_enclosing_function():
    python = language_for("python", "a.py")
    source = ParsedSource(PYTHON, python)
    assert region_for(source, 11, 11) == (1, 12)  # the method around the cursor
    assert region_for(source, 10, 11) == (10, 11)  # `if strict:` and its body
    with pytest.raises(RefactorError, match="whole statements"):
        region_for(source, 9, 10)  # the end of helper and the head of `if`
    with pytest.raises(RefactorError, match="not inside a function"):
        region_for(source, 14, 14)
    with pytest.raises(RefactorError, match="syntax error at line 2"):
        region_for(ParsedSource("def f(a):\n    return (a\n", python), 0, 0)


def test_signatures_for_the_keep_the_signature_check():
    assert signatures(ParsedSource(PYTHON, language_for("python", "a.py")))["get"] == (
        "key",
        "default",
        "extra",
        "strict",
        "options",
    )
