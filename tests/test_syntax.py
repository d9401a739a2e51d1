import pytest

from genls.assist.syntax import analyse_cursor
from genls.index.languages import language_for


def at_marker(source, language_id="python", path="x.py"):
    offset = source.index("|")
    text = source.replace("|", "", 1)
    return analyse_cursor(text, offset, language_for(language_id, path))


@pytest.mark.parametrize(
    ("source", "multiline"),
    [
        ("def f(x):\n    |\n", True),  # fresh line in a body
        ("def f(x):|\n", True),  # right after the block opener
        ("def f(x):\n    y = compu|\n", False),  # mid-statement
        ("def f(x):\n    print(|)\n", False),  # inside a call
        ("def f(x):\n    return g(|, 2)\n", False),  # text after the cursor
        ('def f(x):\n    s = "abc |\n', False),  # open string
        ("def f(x):\n    # explain |\n", False),  # comment
    ],
)
def test_python_cursor(source, multiline):
    assert at_marker(source).multiline is multiline


def test_strings_and_comments_are_recognised():
    assert at_marker('x = "hello |world"\n').in_string_or_comment
    assert at_marker("# a comment |\n").in_string_or_comment
    assert not at_marker('x = "done"|\n').in_string_or_comment


@pytest.mark.parametrize(
    ("source", "multiline"),
    [
        ("function f(a) {|\n}\n", True),
        ("function f(a) {\n  return a.ma|\n}\n", False),
        ("function f(a) {\n  // note |\n}\n", False),
    ],
)
def test_javascript_cursor(source, multiline):
    assert at_marker(source, "javascript", "x.js").multiline is multiline


def test_indent_of_the_cursor_line():
    assert at_marker("class A:\n    def f(self):\n        |\n").indent == "        "


def test_large_single_line_file_is_quick_to_analyse():
    text = "x = [" + "1, " * 1_000_000
    result = analyse_cursor(text, len(text), language_for("python", "x.py"))
    assert result.multiline is False
