"""Audio commands over LSP against the real server: files land in the workspace with a
provenance sidecar, progress is reported, bad input and cancellation write nothing."""

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
    await start_session(lsp_client, workspace.as_uri(), {"model": TINY_MODEL, "index": False})
    yield
    await lsp_client.shutdown_session()


async def command(client: LanguageClient, name: str, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def test_sfx_lands_in_the_asset_folder_with_provenance(client: LanguageClient, workspace):
    answer = await command(client, "genls.generateSfx", {"kind": "coin", "seed": 2})
    folder = workspace / "assets" / "generated"
    assert files_in(folder) == ["coin-2.provenance.json", "coin-2.wav"]
    assert Path(to_fs_path(answer["uri"])) == folder / "coin-2.wav"
    again = await command(client, "genls.generateSfx", "coin")  # never overwrites
    assert Path(to_fs_path(again["uri"])).name == "coin-0.wav"
    third = await command(client, "genls.generateSfx", {"kind": "coin", "seed": 2})
    assert Path(to_fs_path(third["uri"])).name == "coin-2-2.wav"


async def test_music_arrives_with_stems_midi_progress_and_sidecar(
    client: LanguageClient, workspace
):
    answer = await command(
        client,
        "genls.generateMusic",
        {
            "prompt": "lively jig in G",
            "bars": 2,
            "seed": 3,
            "stems": True,
            "folder": "audio",
            "name": "theme",
        },
    )
    folder = workspace / "audio"
    assert files_in(folder) == [
        "theme.drums.wav", "theme.harmony.wav", "theme.melody.wav",
        "theme.mid", "theme.provenance.json", "theme.wav",
    ]  # fmt: skip
    assert [Path(to_fs_path(uri)).name for uri in answer["uris"]][:2] == ["theme.wav", "theme.mid"]
    sidecar = json.loads((folder / "theme.provenance.json").read_text())
    assert sidecar["prompt"] == "lively jig in G" and sidecar["seed"] == 3
    assert sidecar["settings"]["meter"] == "6/8" and len(sidecar["weights_sha256"]) == 64
    assert sidecar["genls_version"]
    reports = [r for rs in client.progress_reports.values() for r in rs]
    assert any(isinstance(r, types.WorkDoneProgressBegin) and r.cancellable for r in reports)
    assert any(
        isinstance(r, types.WorkDoneProgressReport) and "bar" in (r.message or "") for r in reports
    )
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


@pytest.mark.parametrize(
    ("name", "argument", "message"),
    [
        ("genls.generateMusic", {"prompt": "fast and slow"}, "which tempo"),
        ("genls.generateMusic", {"prompt": "dubstep banger"}, "known styles"),
        ("genls.generateMusic", {"prompt": "tune", "bars": 5000}, "between 1 and 128"),
        (
            "genls.generateMusic",
            {"prompt": "tune", "folder": "../outside"},
            "outside the workspace",
        ),
        ("genls.generateSfx", {"kind": "moo"}, "known: coin"),
    ],
)
async def test_bad_input_is_a_clear_error_and_writes_nothing(
    client: LanguageClient, workspace, name, argument, message
):
    result = await command(client, name, argument)
    assert result["applied"] is False and message in result["message"], result
    assert files_in(workspace) == []


async def test_an_unwritable_folder_is_reported(client: LanguageClient, workspace):
    (workspace / "taken").write_text("a file where the folder should be")
    result = await command(client, "genls.generateSfx", {"kind": "blip", "folder": "taken"})
    assert result["applied"] is False and "cannot write" in result["message"]
    assert files_in(workspace) == ["taken"]


async def test_cancelling_from_the_progress_ui_writes_nothing(client: LanguageClient, workspace):
    task = asyncio.ensure_future(
        command(client, "genls.generateMusic", {"prompt": "reel in D", "bars": 64, "seed": 1})
    )
    token = None
    for _ in range(300):
        token = next(
            (
                t
                for t, rs in client.progress_reports.items()
                if any(isinstance(r, types.WorkDoneProgressReport) for r in rs)
            ),
            None,
        )
        if token:
            break
        await asyncio.sleep(0.1)
    assert token, "no progress was reported"
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    with pytest.raises(JsonRpcRequestCancelled, match="composing was cancelled"):
        await task
    assert files_in(workspace) == []
