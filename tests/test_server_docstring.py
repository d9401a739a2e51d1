"""Docstrings and refactors over LSP: code actions offered where they should be, commands whose
edits arrive through workspace/applyEdit, checked, in Python, TypeScript, Go and Rust."""

from __future__ import annotations

import asyncio
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from genls.assist.doc_styles import documented_parameters
from genls.assist.edit_check import syntax_errors
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource
from tests.conftest import (
    DEFAULT_MODEL,
    TINY_MODEL,
    inline,
    open_document,
    position_of,
    server_config,
    start_session,
)

pytestmark = pytest.mark.slow

FIXTURES = {
    "python": (
        "geometry.py",
        "import math\n\n\n"
        "def distance(x1: float, y1: float, x2: float, y2: float) -> float:\n"
        "    if x1 is None:\n"
        "        raise ValueError('x1 is required')\n"
        "    return math.hypot(x2 - x1, y2 - y1)\n",
        "distance",
        "google",
    ),
    "typescript": (
        "clamp.ts",
        "export function clamp(value: number, low: number, high: number): number {\n"
        "  if (low > high) {\n"
        "    throw new RangeError('low is above high');\n"
        "  }\n"
        "  return Math.min(Math.max(value, low), high);\n"
        "}\n",
        "clamp",
        "jsdoc",
    ),
    "go": (
        "clamp.go",
        "package geometry\n\n"
        "func Clamp(value, low, high int) int {\n"
        "\tif value < low {\n\t\treturn low\n\t}\n"
        "\tif value > high {\n\t\treturn high\n\t}\n"
        "\treturn value\n"
        "}\n",
        "Clamp",
        "godoc",
    ),
    "rust": (
        "clamp.rs",
        "pub fn clamp(value: i32, low: i32, high: i32) -> i32 {\n    value.max(low).min(high)\n}\n",
        "clamp",
        "rustdoc",
    ),
}


class EditRecorder:
    """The client side of workspace/applyEdit: applies nothing, remembers every edit."""

    def __init__(self, client: LanguageClient) -> None:
        self.edits: list[types.WorkspaceEdit] = []

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            self.edits.append(params.edit)
            return types.ApplyWorkspaceEditResult(applied=True)


def applied(text: str, edit: types.WorkspaceEdit) -> str:
    """The text after the edit's TextEdits (whole-line edits, applied bottom-up)."""
    lines = text.splitlines(keepends=True)
    if edit.document_changes:
        (change,) = edit.document_changes
        edits = change.edits
    else:  # a client without documentChanges gets plain changes
        (edits,) = edit.changes.values()
    for text_edit in sorted(edits, key=lambda e: e.range.start.line, reverse=True):
        start, end = text_edit.range.start, text_edit.range.end
        assert start.character == 0 and end.character == 0
        lines[start.line : end.line] = text_edit.new_text.splitlines(keepends=True)
    return "".join(lines)


def structure_code_actions_correctly(client: LanguageClient) -> None:
    """lsprotocol 2025.0.0 reads any code action that has a `command` as a Command (a bare
    Command's `command` is a string; a CodeAction's is an object). Editors tell them apart."""
    converter = client.protocol._converter

    def hook(item: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(item.get("command"), str):
            return converter.structure(item, types.Command)
        return converter.structure(item, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    structure_code_actions_correctly(lsp_client)
    lsp_client.recorder = EditRecorder(lsp_client)
    options = {"model": TINY_MODEL, "instructionModel": DEFAULT_MODEL, "index": False}
    await start_session(lsp_client, workspace.as_uri(), options)
    yield
    await lsp_client.shutdown_session()


async def code_actions(client: LanguageClient, uri: str, line: int, end_line: int | None = None):
    end = types.Position(line=end_line if end_line is not None else line, character=0)
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=0), end=end),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )


@pytest.mark.parametrize("language", list(FIXTURES))
async def test_generate_docstring_in_each_language(client: LanguageClient, workspace, language):
    name, text, function, style = FIXTURES[language]
    uri = (workspace / name).as_uri()
    open_document(client, uri, text, language)
    line = text.split("\n").index(next(x for x in text.split("\n") if function + "(" in x))

    actions = await code_actions(client, uri, line + 1)
    titles = [action.title for action in actions]
    assert f"Generate docstring for {function}" in titles
    action = actions[titles.index(f"Generate docstring for {function}")]
    assert action.kind == types.CodeActionKind.RefactorRewrite

    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )
    assert result["applied"], result
    after = applied(text, client.recorder.edits[-1])
    grammar = language_for(language, name)
    assert syntax_errors(ParsedSource(after, grammar)) == 0
    documented = documented_parameters(style, after)
    if style == "godoc":
        assert f"// {function} " in after and documented is None
    else:
        expected = ["x1", "y1", "x2", "y2"] if language == "python" else ["value", "low", "high"]
        assert documented == expected
    if language == "python":
        compile(after, name, "exec")
        assert after.split("\n")[4].startswith('    """')  # inside the body, indented
        assert "Raises:" in after and "ValueError" in after and "Returns:" in after
    assert len(after) > len(text) and after.count("\n") > text.count("\n")


async def test_no_docstring_action_outside_definitions_or_for_other_languages(
    client: LanguageClient, workspace
):
    name, text, _, _ = FIXTURES["python"]
    uri = (workspace / name).as_uri()
    open_document(client, uri, text)
    titles = [a.title for a in await code_actions(client, uri, 0)]  # `import math`
    assert not any(t.startswith(("Generate docstring", "Refactor")) for t in titles)
    assert "Document all missing in file (1)" in titles

    outdated = (
        "def area(width, height):\n"
        '    """Area.\n\n    Args:\n        width: Width.\n        depth: Gone.\n    """\n'
        "    return width * height\n"
    )
    current = outdated.replace("depth: Gone.", "height: Height.")
    for name, text, offered in (("old.py", outdated, True), ("new.py", current, False)):
        other = (workspace / name).as_uri()
        open_document(client, other, text)
        titles = [a.title for a in await code_actions(client, other, 6)]
        assert ("Update docstring for area" in titles) is offered, titles
        assert not any(t.startswith("Generate docstring") for t in titles)

    plain = (workspace / "notes.txt").as_uri()
    open_document(client, plain, "def f(x):\n    return x\n", "plaintext")
    assert not await code_actions(client, plain, 0)

    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.docstring", arguments=[uri, 0])
    )
    assert result == {
        "applied": False,
        "message": "line 1 is not inside a function, method or class",
    }
    assert client.recorder.edits == []


async def test_refactor_adds_type_hints_and_keeps_the_signature(client: LanguageClient, workspace):
    text = (
        "def scale(values, factor):\n"
        "    result = []\n"
        "    for value in values:\n"
        "        result.append(value * factor)\n"
        "    return result\n"
    )
    uri = (workspace / "scale.py").as_uri()
    open_document(client, uri, text)
    actions = await code_actions(client, uri, 2)
    hints = next(a for a in actions if a.title == "Refactor: add type hints")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=hints.command.command, arguments=hints.command.arguments)
    )
    assert result["applied"], result
    after = applied(text, client.recorder.edits[-1])
    compile(after, "scale.py", "exec")
    head = after.split("\n")[0]
    assert head.startswith("def scale(values") and "factor" in head and "->" in head


async def test_suggest_a_better_name_renames_every_reference(client: LanguageClient, workspace):
    text = "def f(values):\n    return sum(values) / len(values)\n\n\nprint(f([1, 2, 3]), f([4]))\n"
    uri = (workspace / "stats.py").as_uri()
    open_document(client, uri, text)
    actions = await code_actions(client, uri, 1)
    suggest = next(a for a in actions if a.title == "Suggest a better name for f")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=suggest.command.command, arguments=suggest.command.arguments
        )
    )
    assert result["applied"], result
    new = result["new"]
    assert new != "f" and new.isidentifier()
    after = applied_offsets(text, client.recorder.edits[-1])
    compile(after, "stats.py", "exec")
    assert after.count(f"{new}(") == 3 and "f(" not in after.replace(f"{new}(", "")


def applied_offsets(text: str, edit: types.WorkspaceEdit) -> str:
    """Any TextEdits (not only whole lines), applied from the last to the first."""
    lines = text.splitlines(keepends=True)
    starts = [sum(len(line) for line in lines[:i]) for i in range(len(lines) + 1)]
    edits = (
        edit.document_changes[0].edits
        if edit.document_changes
        else next(iter(edit.changes.values()))
    )
    for text_edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        start = starts[text_edit.range.start.line] + text_edit.range.start.character
        end = starts[text_edit.range.end.line] + text_edit.range.end.character
        text = text[:start] + text_edit.new_text + text[end:]
    return text


def start_documenting(
    client: LanguageClient, workspace, functions: int
) -> tuple[set, asyncio.Future]:
    """genls.documentFile on a new file of small functions: (the progress tokens before it,
    the request under way)."""
    text = "".join(f"def step_{i}(value):\n    return value + {i}\n\n\n" for i in range(functions))
    uri = (workspace / "steps.py").as_uri()
    open_document(client, uri, text)
    before = set(client.progress_reports)
    running = asyncio.ensure_future(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.documentFile", arguments=[uri])
        )
    )
    return before, running


async def test_documenting_a_file_reports_progress_and_cancelling_changes_nothing(
    client: LanguageClient, workspace
):
    before, running = start_documenting(client, workspace, functions=4)
    for _ in range(600):
        started = [t for t in client.progress_reports if t not in before]
        if started and len(client.progress_reports[started[0]]) > 1:  # begin, then a report
            break
        await asyncio.sleep(0.05)
    (token,) = started
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    with pytest.raises(JsonRpcRequestCancelled, match="documenting the file was cancelled"):
        await running
    reports = client.progress_reports[token]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
    assert isinstance(reports[-1], types.WorkDoneProgressEnd) and reports[-1].message == "cancelled"
    assert client.recorder.edits == []


async def test_new_settings_while_a_docstring_is_written_keep_completions_answering(workspace):
    # A new `threads` needs another instruction model: applying it must not wait for the
    # docstring being written (it used to, and froze the whole server until it was done).
    client = await server_config().start()
    try:
        options = {"model": TINY_MODEL, "instructionModel": "qwen2.5-coder-1.5b", "index": False}
        await start_session(client, workspace.as_uri(), options)
        typed = "def square(x):\n    return x *"
        other = (workspace / "square.py").as_uri()
        open_document(client, other, typed)
        before, running = start_documenting(client, workspace, functions=3)
        while not any("for instructions in" in m.message for m in client.log_messages):
            assert not running.done(), "documenting ended before its model was loaded"
            await asyncio.sleep(0.05)
        (token,) = [t for t in client.progress_reports if t not in before]
        reports = len(client.progress_reports[token])
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"genls": {"threads": 1}})
        )
        # Bounded only so that a frozen server fails the test instead of hanging it.
        result = await asyncio.wait_for(
            inline(client, other, position_of(typed, "return x *")), 300
        )
        assert result.items, "no suggestion while the docstring was written"
        # Answered while the first docstring was still being written.
        assert len(client.progress_reports[token]) == reports and not running.done()
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        with pytest.raises(JsonRpcRequestCancelled):
            await running
        status = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.status")
        )
        assert status["settings"]["threads"] == 1
        await client.shutdown_session()
    finally:
        await client.stop()
