"""Diagrams over LSP: genls.diagram returns the file's URI and the file arrives through
workspace/applyEdit; code actions and code lenses offer it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from tests.conftest import TINY_MODEL, open_document, server_config, start_session

FIXTURE = Path(__file__).parent / "fixtures" / "diagram" / "python"


def _offset(text: str, position: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


def apply_to_disk(edit: types.WorkspaceEdit) -> None:
    """What an editor does with the edit: create the files, then apply the text edits."""
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = Path(to_fs_path(change.uri))
            if not path.exists() or (change.options and change.options.overwrite):
                path.write_text("")
        elif isinstance(change, types.TextDocumentEdit):
            path = Path(to_fs_path(change.text_document.uri))
            text = path.read_text()
            for text_edit in sorted(
                change.edits,
                key=lambda e: (e.range.start.line, e.range.start.character),
                reverse=True,
            ):
                start, end = (
                    _offset(text, text_edit.range.start),
                    _offset(text, text_edit.range.end),
                )
                text = text[:start] + text_edit.new_text + text[end:]
            path.write_text(text)


def _parse_code_actions_by_their_command_field(client: LanguageClient) -> None:
    """lsprotocol 2025.0.0 reads any code action with a `command` as a Command (its hook
    checks for the key, not for a string); a CodeAction's command is an object."""

    def structure(data: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(data.get("command"), str):
            return client.protocol._converter.structure(data, types.Command)
        return client.protocol._converter.structure(data, types.CodeAction)

    client.protocol._converter.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007 (the key lsprotocol registers)
        structure,
    )


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    shutil.copytree(FIXTURE, workspace, dirs_exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    lsp_client.applied_edits = []
    _parse_code_actions_by_their_command_field(lsp_client)

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied_edits.append(params.edit)
        apply_to_disk(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"model": TINY_MODEL, "index": False, "diagramFolder": "docs/pictures"},
        editor="visual_studio_code",
    )
    yield
    await lsp_client.shutdown_session()


async def run_diagram(client: LanguageClient, options: dict) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.diagram", arguments=[options])
    )


async def test_diagram_command_returns_the_uri_of_a_file_written_through_apply_edit(
    client: LanguageClient, workspace
):
    result = await run_diagram(
        client, {"kind": "classes", "uri": (workspace / "shapes").as_uri(), "format": "mmd"}
    )
    target = workspace / "docs" / "pictures" / "classes-shapes.mmd"
    assert result["uri"] == target.as_uri()
    assert result["nodes"] == 4 and result["edges"] == 3 and result["warnings"] == []
    assert len(client.applied_edits) == 1
    created = client.applied_edits[0].document_changes[0]
    assert isinstance(created, types.CreateFile) and created.uri == target.as_uri()
    text = target.read_text()
    assert text.startswith("---\ntitle:") and "classDiagram" in text and "Circle" in text

    # Calls, as DOT this time; the same command again replaces the file.
    for _ in range(2):
        result = await run_diagram(
            client, {"kind": "calls", "symbol": "Canvas.report", "format": "dot", "depth": 1}
        )
    dot = Path(to_fs_path(result["uri"])).read_text()
    assert dot.count("digraph genls") == 1 and '"Canvas.total_area"' in dot
    reports = [r for reports in client.progress_reports.values() for r in reports]
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


async def test_a_markdown_file_gets_a_mermaid_block(client: LanguageClient, workspace):
    notes = workspace / "NOTES.md"
    notes.write_text("# Notes\n")
    for _ in range(2):
        result = await run_diagram(client, {"kind": "imports", "markdown": notes.as_uri()})
    assert result["uri"] == notes.as_uri()
    text = notes.read_text()
    assert text.startswith("# Notes\n\n<!-- genls-diagram: imports -->\n```mermaid\n")
    assert text.count("```mermaid") == 1 and "linkStyle" in text  # the import cycle


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
async def test_png_is_written_to_disk(client: LanguageClient, workspace):
    result = await run_diagram(client, {"kind": "imports", "format": "png"})
    assert Path(to_fs_path(result["uri"])).read_bytes().startswith(b"\x89PNG")


async def test_bad_requests_are_refused(client: LanguageClient):
    for options, message in [
        ({"kind": "calls"}, "needs a function"),
        ({"kind": "pie"}, "unknown diagram kind"),
        ({"kind": "calls", "depth": "deep"}, "option 'depth' must be an integer"),
        ({}, "genls.diagram needs kind"),
    ]:
        result = await run_diagram(client, options)
        assert result["applied"] is False and message in result["message"], (options, result)


async def test_code_actions_and_lenses_offer_diagrams(client: LanguageClient, workspace):
    path = workspace / "shapes" / "canvas.py"
    uri = path.as_uri()
    text = path.read_text()
    open_document(client, uri, text)
    line = text.split("\n").index("class Canvas:")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=line, character=6),
                end=types.Position(line=line, character=6),
            ),
            context=types.CodeActionContext(diagnostics=[], only=["source.genls.diagram"]),
        )
    )
    titles = [action.title for action in actions]
    assert titles == [
        "genls: class diagram of Canvas",
        "genls: class diagram of this file",
        "genls: import diagram of this folder",
    ]
    first = actions[0].command
    assert first.command == "genls.diagram"
    assert list(first.arguments) == [{"kind": "classes", "uri": uri, "symbol": "Canvas"}]
    result = await run_diagram(client, first.arguments[0])
    assert "Canvas" in Path(to_fs_path(result["uri"])).read_text()

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # History lenses come unresolved (no command yet); the diagram lenses have theirs.
    by_line = {(lens.range.start.line, lens.command.title) for lens in lenses if lens.command}
    assert (0, "Import diagram of this folder") in by_line
    assert (line, "Class diagram") in by_line
    report = text.split("\n").index("    def report(self) -> str:")
    assert (report, "Call graph") in by_line
