"""Images over LSP: genls.generateImage writes the files into the workspace, answers with
their URIs, reports $/progress per denoising step, and a cancel leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from tests.conftest import TINY_MODEL, server_config, start_session


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"model": TINY_MODEL, "index": False, "assetFolder": "art/icons", "threads": 2},
        editor="visual_studio_code",
    )
    yield
    await lsp_client.shutdown_session()


async def generate(client: LanguageClient, *arguments) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.generateImage", arguments=list(arguments))
    )


def files_under(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def test_images_arrive_in_the_asset_folder_with_progress(client: LanguageClient, workspace):
    before = set(client.progress_reports)
    result = await generate(client, {"prompt": "a red potion bottle", "n": 2, "steps": 3})
    assert result["applied"] is True
    paths = [Path(to_fs_path(uri)) for uri in result["uris"]]
    assert result["uri"] == result["uris"][0] and paths[0].name == "a-red-potion-bottle-sheet.png"
    assert all(p.is_file() and p.parent == workspace / "art" / "icons" for p in paths)
    assert files_under(workspace) == sorted(p.name for p in paths)
    sidecar = json.loads(Path(to_fs_path(result["provenance"])).read_text())
    assert sidecar["prompt"] == "a red potion bottle" and sidecar["model"] == "icons32"
    (token,) = [t for t in client.progress_reports if t not in before]
    reports = client.progress_reports[token]
    steps = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert steps == ["step 1/3", "step 2/3", "step 3/3"]
    assert isinstance(reports[-1], types.WorkDoneProgressEnd) and reports[-1].message == "done"

    # A second request with the same prompt keeps the first one's files.
    again = await generate(client, {"prompt": "a red potion bottle", "steps": 2, "folder": "x"})
    assert Path(to_fs_path(again["uri"])) == workspace / "x" / "a-red-potion-bottle.png"
    third = await generate(client, {"prompt": "a red potion bottle", "steps": 2, "folder": "x"})
    assert Path(to_fs_path(third["uri"])).name == "a-red-potion-bottle-2.png"


async def test_bad_requests_are_refused_and_write_nothing(client: LanguageClient, workspace):
    for arguments, message in [
        ({"prompt": ""}, "empty"),
        ({"prompt": "a cat", "n": 1000}, "between 1 and 64"),
        ({"prompt": "a cat", "n": 0}, "between 1 and 64"),
        ({"prompt": "a cat", "colour": "red"}, "unknown genls.generateImage option 'colour'"),
        ({"prompt": "a cat", "n": "four"}, "option 'n' must be an integer, not str"),
        ({"prompt": "a cat", "folder": "../outside"}, "outside the workspace"),
    ]:
        result = await generate(client, arguments)
        assert result["applied"] is False and message in result["message"], (arguments, result)
    (workspace / "blocked").write_text("a file where the folder should be")
    result = await generate(client, {"prompt": "a cat", "steps": 2, "folder": "blocked/icons"})
    assert result["applied"] is False and "not a writable folder" in result["message"]
    assert files_under(workspace) == ["blocked"]


async def test_cancelling_from_the_progress_bar_leaves_nothing(client, workspace):
    before = set(client.progress_reports)
    running = asyncio.ensure_future(generate(client, {"prompt": "a cat", "n": 4, "steps": 200}))
    for _ in range(1200):
        started = [t for t in client.progress_reports if t not in before]
        if started and len(client.progress_reports[started[0]]) > 2:  # begin, then steps
            break
        await asyncio.sleep(0.05)
    (token,) = started
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    with pytest.raises(JsonRpcRequestCancelled, match="generating images was cancelled"):
        await running
    reports = client.progress_reports[token]
    assert isinstance(reports[-1], types.WorkDoneProgressEnd) and reports[-1].message == "cancelled"
    assert len(reports) < 100, "stopped long before the 200th step"
    assert files_under(workspace) == []
