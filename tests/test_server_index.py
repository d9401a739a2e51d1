"""The index over LSP: background indexing with progress, workspace/symbol, genls.search."""

from __future__ import annotations

import asyncio
import subprocess

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import TINY_MODEL, server_config, start_session
from tests.test_index import GEOMETRY, SHOP


async def wait_for_index(client: LanguageClient) -> dict:
    for _ in range(600):
        status = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.status")
        )
        if status["index"]["ready"] and not status["index"]["indexing"]:
            return status
        await asyncio.sleep(0.2)
    raise AssertionError("the index never became ready")


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    (workspace / "pkg").mkdir()
    (workspace / "pkg" / "geometry.py").write_text(GEOMETRY)
    (workspace / "shop.js").write_text(SHOP)
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    await start_session(lsp_client, workspace.as_uri(), {"model": TINY_MODEL, "maxTokens": 8})
    yield
    await lsp_client.shutdown_session()


async def test_indexing_reports_progress_and_answers_queries(client: LanguageClient, workspace):
    await wait_for_index(client)
    reports = [r for reports in client.progress_reports.values() for r in reports]
    assert any(isinstance(r, types.WorkDoneProgressBegin) for r in reports)
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)
    assert (workspace / ".genls" / "CURRENT").is_file()

    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="dist"))
    assert symbols[0].name == "distance_to"
    assert symbols[0].kind == types.SymbolKind.Method and symbols[0].container_name == "Point"
    assert symbols[0].location.uri == (workspace / "pkg" / "geometry.py").as_uri()

    hits = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="genls.search", arguments=["euclidean distance of points", 3]
        )
    )
    assert hits[0]["path"] == "pkg/geometry.py" and hits[0]["symbol"] == "Point.distance_to"
    assert hits[0]["range"]["start"]["line"] == GEOMETRY.split("\n").index(
        '    def distance_to(self, other: "Point") -> float:'
    )


async def test_saving_a_file_updates_the_index(client: LanguageClient, workspace):
    await wait_for_index(client)
    path = workspace / "pkg" / "geometry.py"
    text = GEOMETRY + "\n\ndef square_area(side: float) -> float:\n    return side * side\n"
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    for _ in range(100):
        symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="square"))
        if symbols:
            break
        await asyncio.sleep(0.2)
    assert [s.name for s in symbols] == ["square_area"]


async def test_files_changed_on_disk_are_reindexed_together(client: LanguageClient, workspace):
    await wait_for_index(client)
    # A checkout: one file gone, one new, reported in one notification.
    (workspace / "shop.js").unlink()
    (workspace / "pkg" / "volume.py").write_text("def cube_volume(side):\n    return side**3\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(workspace / "shop.js").as_uri(), type=types.FileChangeType.Deleted
                ),
                types.FileEvent(
                    uri=(workspace / "pkg" / "volume.py").as_uri(),
                    type=types.FileChangeType.Created,
                ),
            ]
        )
    )
    for _ in range(100):
        symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="cube"))
        if symbols:
            break
        await asyncio.sleep(0.2)
    assert [s.name for s in symbols] == ["cube_volume"]
    gone = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="basketTotal"))
    assert gone == []


async def test_queries_answer_while_the_workspace_is_indexed_again(
    client: LanguageClient, workspace
):
    await wait_for_index(client)
    for number in range(400):
        (workspace / f"generated_{number}.py").write_text(
            f"def generated_{number}(value):\n    return value + {number}\n"
        )
    earlier = set(client.progress_reports)
    update = asyncio.ensure_future(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command="genls.index"))
    )

    def under_way() -> bool:
        return any(
            isinstance(report, types.WorkDoneProgressReport)
            for token, reports in client.progress_reports.items()
            if token not in earlier
            for report in reports
        )

    while not under_way():
        assert not update.done(), "the update ended before it reported progress"
        await asyncio.sleep(0.02)
    # The state published before the update answers at once; the update goes on.
    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="dist"))
    hits = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.search", arguments=["distance of points", 1])
    )
    assert not update.done(), "the queries waited for the index update"
    assert symbols[0].name == "distance_to"
    assert hits[0]["path"] == "pkg/geometry.py"
    summary = await update
    assert summary["files"] == 402


async def test_index_settings_changed_at_run_time_take_effect(client: LanguageClient, workspace):
    await wait_for_index(client)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"indexFolder": ".genls-moved"}})
    )
    await wait_for_index(client)
    assert (workspace / ".genls-moved" / "CURRENT").is_file()
    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="dist"))
    assert symbols[0].name == "distance_to"

    # Files over the new size limit leave the index.
    limit = len(SHOP.encode()) + 1
    assert len(GEOMETRY.encode()) > limit
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"maxFileBytes": limit}})
    )
    await wait_for_index(client)
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="dist")) == []
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="basketTotal"))

    # torch (the embedder has loaded it) keeps its thread count: the server says so.
    status_before = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.status")
    )
    threads = status_before["settings"]["threads"] + 1
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"threads": threads}})
    )
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="genls.status"))
    told = [m.message for m in client.messages if "until genls restarts" in m.message]
    assert told == [
        f"genls: the completion models use {threads} threads from now on; torch (embeddings, "
        f"images, music) keeps {threads - 1} until genls restarts"
    ]

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"index": False}})
    )
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.status")
    )
    assert status["index"] is None
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="basket")) == []
