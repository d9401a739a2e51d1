"""Next-edit suggestions over LSP, with the real server and real models."""

from __future__ import annotations

import asyncio
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import (
    TINY_MODEL,
    change_document,
    inline,
    open_document,
    position_of,
    server_config,
    start_session,
)

SOURCE = """\
def area(width, height):
    count = width * height
    print("count", count)
    return count
"""
RENAMED = SOURCE.replace("    count = width", "    total = width", 1)


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def _next_edit(client: LanguageClient, uri: str, position: types.Position):
    return await client.protocol.send_request_async(
        "genls/nextEdit",
        {
            "textDocument": {"uri": uri},
            "position": {"line": position.line, "character": position.character},
        },
    )


async def _status(client: LanguageClient):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.status")
    )


def _a_line_added(client: LanguageClient, workspace) -> tuple[str, types.Position]:
    """A file of 30 similar lines, a line added in the middle by the person (no rename)."""
    uri = (workspace / "loop.py").as_uri()
    text = "".join(f"value_{i} = compute({i})\n" for i in range(30))
    edited = text.replace("value_15 = compute(15)\n", "value_15 = compute(15)\nlog(value_15)\n")
    open_document(client, uri, text)
    change_document(client, uri, 2, edited)
    return uri, position_of(edited, "log(value_15)")


def _git_workspace(root):
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("scratch/\n")
    (root / "scratch").mkdir()


@pytest.mark.asyncio
async def test_a_rename_by_hand_offers_the_next_use(client: LanguageClient, workspace):
    _git_workspace(workspace)
    options = {"model": TINY_MODEL, "index": False, "threads": 1, "minTokenProbability": 0.999}
    await start_session(client, workspace.as_uri(), options)
    uri = (workspace / "geo.py").as_uri()
    open_document(client, uri, SOURCE)
    change_document(client, uri, 2, RENAMED)
    cursor = position_of(RENAMED, "    total")
    result = await _next_edit(client, uri, cursor)
    assert result.newText == "total"
    assert (result.range.start.line, result.range.start.character) == (2, 19)
    assert (result.range.end.line, result.range.end.character) == (2, 24)
    assert "rename count to total" in result.reason
    assert result.command.command == "genls.acceptedNextEdit"
    # No ghost text is sure enough at this cursor (minTokenProbability 0.999), and the next
    # edit is on another line: an inline completion cannot carry it.
    assert not (await inline(client, uri, cursor)).items
    # Once the person took it, the next use is the one after.
    taken = RENAMED.replace('print("count", count)', 'print("count", total)')
    change_document(client, uri, 3, taken)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.acceptedNextEdit", arguments=[uri])
    )
    # The accepted edit is an event of its own, a rename too: the chain goes on.
    following = await _next_edit(client, uri, position_of(taken, "total)"))
    assert (following.newText, following.range.start.line) == ("total", 3)


@pytest.mark.asyncio
async def test_a_next_edit_on_the_cursor_line_is_an_inline_completion_that_replaces_text(
    client: LanguageClient, workspace
):
    options = {"model": TINY_MODEL, "index": False, "threads": 1, "minTokenProbability": 0.999}
    await start_session(client, workspace.as_uri(), options)
    uri = (workspace / "twice.py").as_uri()
    text = "def double(count):\n    return count + count\n"
    open_document(client, uri, text)
    renamed = text.replace("return count", "return total")
    change_document(client, uri, 2, renamed)
    [item] = (await inline(client, uri, position_of(renamed, "return total"))).items
    assert item.insert_text == "total"
    assert (item.range.start.line, item.range.start.character) == (1, 19)
    assert (item.range.end.line, item.range.end.character) == (1, 24)
    assert item.command.command == "genls.acceptedNextEdit"


@pytest.mark.asyncio
async def test_nothing_is_remembered_of_an_ignored_or_secret_file(
    client: LanguageClient, workspace
):
    _git_workspace(workspace)
    options = {"model": TINY_MODEL, "index": False, "threads": 1, "nextEditModel": TINY_MODEL}
    await start_session(client, workspace.as_uri(), options)
    for name in ("scratch/geo.py", "secrets.env"):
        uri = (workspace / name).as_uri()
        open_document(client, uri, SOURCE)
        change_document(client, uri, 2, RENAMED)
        assert await _next_edit(client, uri, position_of(RENAMED, "    total")) is None
    assert (await _status(client))["recentNextEdits"] == []  # the model was never asked


@pytest.mark.asyncio
async def test_a_completion_request_stops_the_next_edit_model(client: LanguageClient, workspace):
    options = {"model": TINY_MODEL, "index": False, "threads": 1, "nextEditModel": TINY_MODEL}
    await start_session(client, workspace.as_uri(), options)
    uri, cursor = _a_line_added(client, workspace)
    next_edit = asyncio.ensure_future(_next_edit(client, uri, cursor))
    ghost = asyncio.ensure_future(inline(client, uri, cursor))
    assert await next_edit is None
    await ghost
    attempts = (await _status(client))["recentNextEdits"]
    assert any(attempt["source"] == "model" and attempt["stopped"] for attempt in attempts)


@pytest.mark.asyncio
async def test_the_model_rewrites_the_window_into_a_checked_edit(client: LanguageClient, workspace):
    options = {
        "model": TINY_MODEL,
        "index": False,
        "threads": 1,
        "nextEditModel": TINY_MODEL,
        "nextEditLines": 4,
    }
    await start_session(client, workspace.as_uri(), options)
    uri, cursor = _a_line_added(client, workspace)
    result = await _next_edit(client, uri, cursor)
    last = (await _status(client))["recentNextEdits"][-1]
    assert last["source"] == "model" and not last["stopped"]
    generation = last["generation"]
    assert generation["prompt_tokens"] > 100 and generation["generated_tokens"] > 0
    assert generation["drafted_tokens"] > 0  # prompt lookup drafted from the window
    if result is not None:  # the tiny model may have nothing worth offering; if it has:
        assert last["offered"]
        assert result.range.start.line >= 12 and result.range.end.line <= 20  # in the window


@pytest.mark.asyncio
async def test_a_parameter_added_sends_the_model_to_the_call_that_must_change(
    client: LanguageClient, workspace
):
    options = {"model": TINY_MODEL, "index": False, "threads": 1, "nextEditModel": TINY_MODEL}
    await start_session(client, workspace.as_uri(), options)
    uri = (workspace / "box.py").as_uri()
    filler = "".join(f"LIMIT_{i} = {i}\n" for i in range(30))
    text = (
        f"def volume(width, height):\n    return width * height\n\n\n{filler}print(volume(2, 3))\n"
    )
    open_document(client, uri, text)
    added = text.replace("def volume(width, height)", "def volume(width, height, depth)")
    change_document(client, uri, 2, added)
    await _next_edit(client, uri, position_of(added, "depth"))
    last = (await _status(client))["recentNextEdits"][-1]
    # The window the model rewrote is around the call, 34 lines below the cursor.
    assert last["source"] == "model" and last["line"] == added.count("\n", 0, added.index("print("))
