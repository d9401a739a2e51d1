"""History over LSP against the real server: genls.changelog, genls.history, the code lens."""

from __future__ import annotations

import asyncio
import re

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import TINY_MODEL, open_document, server_config, start_session
from tests.history_repos import build_project


@pytest.fixture
def project(workspace):
    return build_project(workspace)


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, project):
    options = {"model": TINY_MODEL, "instructionModel": TINY_MODEL, "index": False, "threads": 1}
    await start_session(lsp_client, project.root.as_uri(), options)
    yield
    await lsp_client.shutdown_session()


async def command(client: LanguageClient, name: str, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


async def test_changelog_command_returns_markdown_and_an_edit(client: LanguageClient, project):
    result = await command(client, "genls.changelog", {"model": False})
    s = project.short
    assert result["markdown"].startswith("# Changelog\n\n## [Unreleased]")
    releases = result["changelog"]["releases"]
    assert [r["version"] for r in releases] == ["Unreleased", "v0.2.0", "v0.1.0"]
    breaking = releases[0]["groups"]["breaking"]
    assert any("legacy_distance" in e["text"] and e["commits"] == [s("remove")] for e in breaking)
    # No CHANGELOG.md yet: the edit creates it with the whole text.
    create, text_edit = result["edit"]["documentChanges"]
    assert create["kind"] == "create" and create["uri"].endswith("/CHANGELOG.md")
    assert text_edit["edits"][0]["newText"] == result["markdown"]
    reports = [r for values in client.progress_reports.values() for r in values]
    assert any(isinstance(r, types.WorkDoneProgressBegin) and r.cancellable for r in reports)
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


async def test_changelog_with_the_model_keeps_subjects_and_provenance(
    client: LanguageClient, project
):
    result = await command(client, "genls.changelog", {"since": "v0.1.0", "until": "v0.2.0"})
    (release,) = result["changelog"]["releases"]
    entries = [e for entries in release["groups"].values() for e in entries]
    shas = {project.short(label) for label in ("round", "speed", "docs", "verbose", "cache")}
    # Every commit but the merge is one line, citing exactly its own commit.
    assert sorted(e["commits"][0] for e in entries) == sorted(shas)
    (free_form,) = [e for e in entries if e["source"] in ("model", "unclassified")]
    assert free_form["subject"] == "Improve speed of perimeter computation"
    assert free_form["commits"] == [project.short("speed")]
    assert free_form["text"]


async def test_history_command_and_code_lens(client: LanguageClient, project):
    uri = (project.root / "pkg" / "shapes.py").as_uri()
    open_document(client, uri, (project.root / "pkg" / "shapes.py").read_text())
    result = await command(client, "genls.history", uri, "area")
    story = result["story"]
    expected = [project.short(label) for label in ("digits", "cache", "round", "add")]
    assert [c["short"] for c in story["commits"]] == expected
    known = {c["hash"] for c in story["commits"]}
    for line in story["summary"]:  # whatever the tiny model said, it cites only these
        cited = re.findall(r"\b[0-9a-f]{7,40}\b", line)
        assert cited and all(any(sha.startswith(c) for sha in known) for c in cited)
    assert result["markdown"].startswith("# History of `area` in `pkg/shapes.py`")

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    by_symbol = {lens.data["symbol"]: lens for lens in lenses if lens.data}  # history lenses
    assert {"area", "perimeter", "_helper", "Shape", "Shape.describe"} <= by_symbol.keys()
    resolved = await client.code_lens_resolve_async(by_symbol["area"])
    assert resolved.command.title == "changed 4 times, last: feat!: area takes the number of digits"
    assert resolved.command.command == "genls.history"
    assert list(resolved.command.arguments) == [uri, "area"]


async def test_errors_are_refusals_the_user_sees(client: LanguageClient, project):
    uri = (project.root / "pkg" / "shapes.py").as_uri()
    refused = await command(client, "genls.history", uri, "nowhere")
    assert refused["applied"] is False and "no symbol 'nowhere'" in refused["message"]
    refused = await command(client, "genls.changelog", {"since": "v9", "model": False})
    assert refused["applied"] is False and "'v9' is not a commit" in refused["message"]
    refused = await command(client, "genls.changelog", {"sinse": "v1"})
    assert refused["message"].startswith("unknown genls.changelog option 'sinse'; known: since")
    warnings = [m.message for m in client.messages if m.type == types.MessageType.Warning]
    assert any("no symbol 'nowhere'" in w for w in warnings), warnings


async def test_a_cancelled_request_stops_and_the_server_goes_on(client: LanguageClient, project):
    path = project.root / "pkg" / "shapes.py"
    path.write_text(path.read_text() + "\n\ndef volume(a, b, c):\n    return a * b * c\n")
    project.git("add", "pkg/shapes.py")
    earlier = set(client.progress_reports)
    request = client.protocol.send_request(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams(command="genls.commitMessage"),
        msg_id="message-to-cancel",
    )
    # Cancelled once the job is under way (its progress began).
    while not set(client.progress_reports) - earlier:
        assert not request.done()
        await asyncio.sleep(0.02)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="message-to-cancel"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(request), 60)
    # The history thread is free again for the next job.
    result = await asyncio.wait_for(command(client, "genls.changelog", {"model": False}), 60)
    assert result["changelog"]["releases"][0]["version"] == "Unreleased"


async def test_changelog_edit_keeps_the_hand_written_file(client: LanguageClient, project):
    hand_written = "# Changelog\n\nWritten by hand.\n\n## [v0.1.0]\n\nThe first one.\n"
    (project.root / "CHANGELOG.md").write_text(hand_written)
    received = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        received.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    result = await command(client, "genls.changelog", {"model": False, "apply": True})
    assert result["applied"] is True and len(received) == 1
    uri = (project.root / "CHANGELOG.md").as_uri()
    (edit,) = received[0].changes[uri]
    assert edit.range.start == types.Position(line=0, character=0)
    new_text = edit.new_text
    remaining = iter(new_text.split("\n"))
    assert all(line in remaining for line in hand_written.split("\n"))
    assert f"- add the geometry module ({project.short('add')})" in new_text
    assert new_text.index("## [Unreleased]") < new_text.index("## [v0.2.0]")
