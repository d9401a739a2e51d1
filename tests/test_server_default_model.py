"""End-to-end with the default model (Qwen2.5-Coder 0.5B): suggestions are real code."""

from __future__ import annotations

import ast

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import inline, open_document, position_of, server_config, start_session

SOURCE = '''"""Small statistics helpers."""


def mean(values: list[float]) -> float:
    """Arithmetic mean of a non-empty list."""
    return sum(values) / len(values)


def variance(values: list[float]) -> float:
    """Population variance."""
    m = mean(values)
    |


if __name__ == "__main__":
    print(variance([1.0, 2.0, 3.0, 4.0]))
'''


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    await start_session(lsp_client, workspace.as_uri(), {})  # all defaults
    yield
    await lsp_client.shutdown_session()


async def test_default_model_completes_a_function_body(client: LanguageClient, workspace):
    text = SOURCE.replace("|", "")
    cursor = SOURCE.index("|")
    position = position_of(text, text[:cursor])
    uri = (workspace / "stats.py").as_uri()
    open_document(client, uri, text)
    result = await inline(client, uri, position)
    shown = result.items[0].insert_text if result.items else ""
    # Without the cut at unlikely tokens, the whole body the model writes:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"minTokenProbability": 0})
    )
    whole_uri = (workspace / "stats_whole.py").as_uri()
    open_document(client, whole_uri, text)
    suggestion = (await inline(client, whole_uri, position)).items[0].insert_text
    assert "return" in suggestion
    completed = text[:cursor] + suggestion + text[cursor:]
    ast.parse(completed)  # the file with the suggestion is valid Python
    # By default the suggestion is that body up to where the model starts to guess.
    assert suggestion.startswith(shown)
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.status")
    )
    assert "qwen2.5-coder-0.5b" in status["model"]


async def test_default_model_finishes_a_line(client: LanguageClient, workspace):
    text = SOURCE.replace("|", "squared = [(v - m) ** 2 for v in ")
    uri = (workspace / "stats_line.py").as_uri()
    open_document(client, uri, text)
    result = await inline(client, uri, position_of(text, "for v in "))
    suggestion = result.items[0].insert_text
    assert "\n" not in suggestion
    assert "values" in suggestion
    line = "    squared = [(v - m) ** 2 for v in " + suggestion
    ast.parse(line.strip())
