"""The prompt fits its budget, keeps its front stable while typing, and labels snippets."""

from genls.assist.prompt import PREFIX_STRIDE_LINES, build_prompt
from genls.llm.fim import FORMATS, Snippet


def words(text: str) -> int:
    """A stand-in tokenizer for budgeting tests: a token per word, or per 8 characters."""
    return max(1, len(text.split()), len(text) // 8) if text else 0


def prompt_for(text, offset, fim="qwen", budget=200, suffix=50, snippets=()):
    return build_prompt(
        text=text,
        offset=offset,
        path="pkg/mod.py",
        comment="#",
        fim=FORMATS[fim] if fim else None,
        count_tokens=words,
        context_tokens=budget,
        suffix_tokens=suffix,
        snippets=snippets,
    )


def numbered_lines(n):
    return "".join(f"value_{i} = compute({i}) + other({i})\n" for i in range(n))


def test_psm_order_with_file_separator():
    text = "".join(f"line{i}\n" for i in range(10)) + "def f():\n    return 1\n"
    prompt = prompt_for(text, text.index("return"))
    # Line 11 holds the cursor: lines 8 and later are the already written middle.
    assert prompt.text == (
        "<|file_sep|>pkg/mod.py\n<|fim_prefix|>"
        + "".join(f"line{i}\n" for i in range(8))
        + "<|fim_suffix|>return 1\n<|fim_middle|>line8\nline9\ndef f():\n    "
    )
    assert prompt.prefix == text[: text.index("return")]


def test_plain_psm_when_the_middle_stride_is_zero():
    text = "a = 1\nb = \nc = 3\n"
    offset = text.index("\nc")
    prompt = build_prompt(
        text=text,
        offset=offset,
        path="m.py",
        comment="#",
        fim=FORMATS["qwen"],
        count_tokens=words,
        context_tokens=100,
        suffix_tokens=20,
        middle_stride_lines=0,
    )
    assert prompt.text.endswith("<|fim_prefix|>a = 1\nb = <|fim_suffix|>\nc = 3\n<|fim_middle|>")


def test_typing_and_new_lines_only_append_to_the_prompt():
    text = numbered_lines(40)
    base = len(numbered_lines(33))  # cursor at the start of line 33
    before = prompt_for(text, base, budget=400, suffix=40)
    for typed in ["x", "x = 1", "x = 1\n", "x = 1\n    y"]:
        edited = text[:base] + typed + text[base:]
        after = prompt_for(edited, base + len(typed), budget=400, suffix=40)
        assert after.text.startswith(before.text), typed
        assert after.text[len(before.text) :] == typed


def test_the_anchor_moves_every_stride_of_lines():
    text = numbered_lines(40)
    at_39 = prompt_for(text, len(numbered_lines(39)), budget=400, suffix=40)
    at_40 = prompt_for(text, len(numbered_lines(40)), budget=400, suffix=40)
    assert at_39.middle.startswith("value_32 ")
    assert at_40.middle == ""


def test_prefix_only_without_fim():
    text = "a = 1\nb = 2\n"
    prompt = prompt_for(text, len(text), fim=None)
    assert prompt.text == text
    assert prompt.suffix == ""


def test_budget_is_respected_and_prefix_is_nearest_the_cursor():
    text = numbered_lines(400)
    offset = len(text)
    prompt = prompt_for(text, offset, budget=120, suffix=20)
    assert words(prompt.prefix) <= 120
    assert prompt.prefix.endswith("value_399 = compute(399) + other(399)\n")
    assert "value_0 " not in prompt.prefix


def test_prefix_start_is_stable_while_typing_on_one_line():
    text = numbered_lines(400) + "resu"
    first = prompt_for(text, len(text), budget=120, suffix=20)
    typed = text + "lt = 1"
    second = prompt_for(typed, len(typed), budget=120, suffix=20)
    assert second.prefix.startswith(first.prefix.split("\n", 1)[0])
    start_line = first.prefix.split("\n", 1)[0]
    line_number = int(start_line.split("_")[1].split(" ")[0])
    assert line_number % PREFIX_STRIDE_LINES == 0


def test_suffix_window_is_capped():
    text = "x = 1\n" + numbered_lines(300)
    prompt = prompt_for(text, 0, budget=200, suffix=30)
    assert 0 < words(prompt.suffix) <= 30


def test_snippets_are_labelled_and_budgeted():
    snippets = [
        Snippet("lib/util.py", "def helper():\n    return 42\n"),
        Snippet("lib/huge.py", "x " * 500),
    ]
    text = "import lib\n"
    prompt = prompt_for(text, len(text), snippets=snippets)
    assert "<|file_sep|>lib/util.py\ndef helper():" in prompt.text
    assert "lib/huge.py" not in prompt.text  # over a quarter of the budget
    assert prompt.text.index("lib/util.py") < prompt.text.index("<|fim_prefix|>")


def test_the_most_important_snippet_is_nearest_the_file_and_one_block_per_file():
    # Most important first, as the context provider returns them.
    snippets = [
        Snippet("lib/geometry.py", "def area(r):"),
        Snippet("lib/units.py", "METRE = 1.0"),
        Snippet("lib/geometry.py", "def perimeter(r):"),
        Snippet("lib/big.py", "y " * 40),
    ]
    text = "import lib\n"
    prompt = prompt_for(text, len(text), budget=240, snippets=snippets)
    header = prompt.text[: prompt.text.index("<|fim_prefix|>")]
    assert header == (
        "<|file_sep|>lib/big.py\n" + ("y " * 40).rstrip() + "\n"
        "<|file_sep|>lib/units.py\nMETRE = 1.0\n"
        "<|file_sep|>lib/geometry.py\ndef perimeter(r):\n\ndef area(r):\n"
        "<|file_sep|>pkg/mod.py\n"
    )
    # Over budget, the least important goes first.
    tight = prompt_for(text, len(text), budget=200, snippets=snippets)
    assert "lib/big.py" not in tight.text and "def area(r):" in tight.text


def test_snippets_as_comments_for_formats_without_separators():
    snippets = [Snippet("lib/util.py", "def helper():\n    return 42")]
    prompt = prompt_for("x = ", 4, fim="deepseek", snippets=snippets)
    assert prompt.text == (
        "<｜fim▁begin｜># lib/util.py\n# def helper():\n#     return 42\n# pkg/mod.py\n"
        "<｜fim▁hole｜><｜fim▁end｜>x = "
    )


def test_one_enormous_line_is_cut_by_characters():
    text = "x" * 5_000_000
    prompt = prompt_for(text, 2_500_000, budget=100, suffix=20)
    assert 0 < words(prompt.prefix) <= 100
    assert 0 < words(prompt.suffix) <= 20
