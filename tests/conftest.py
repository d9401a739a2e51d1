"""Shared fixtures: the real server over stdio, started with a real bundled model."""

from __future__ import annotations

import sys

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

TINY_MODEL = "smollm2-135m"
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def server_command(*args: str) -> list[str]:
    # No --log-level: the log comes over LSP (client.log_messages, which pytest-lsp shows when
    # a test fails), and a test can raise it with the logLevel setting (a flag would win).
    return [sys.executable, "-m", "genls", "serve", *args]


def server_config(*args: str) -> ClientServerConfig:
    return ClientServerConfig(server_command=server_command(*args))


async def start_session(
    client: LanguageClient, root_uri: str | None, options: dict, editor: str = "neovim"
) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=root_uri,
            initialization_options=options,
        )
    )


def open_document(client: LanguageClient, uri: str, text: str, language: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def position_of(text: str, marker: str) -> types.Position:
    """The position just after the first occurrence of `marker`."""
    offset = text.index(marker) + len(marker)
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


def inline_params(uri: str, position: types.Position) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position,
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )


async def inline(client: LanguageClient, uri: str, position: types.Position):
    return await client.text_document_inline_completion_async(inline_params(uri, position))


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    return root
