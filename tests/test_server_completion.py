"""End-to-end: the real server over stdio, the real tiny model, a pytest-lsp client."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.conftest import (
    TINY_MODEL,
    change_document,
    inline,
    inline_params,
    open_document,
    position_of,
    server_config,
    start_session,
)

SOURCE = '''import math


def circle_area(radius: float) -> float:
    """Area of a circle."""
    return math.pi * radius ** 2


def describe(radius: float) -> str:
    area = circle_area(radius)
    return f"radius {radius} has area {area:.2f}"
'''


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient, workspace):
    # Without the index: these tests time the model alone (tests/test_server_index.py has it).
    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"genls": {"model": TINY_MODEL, "maxTokens": 24, "index": False}},
    )
    yield
    await lsp_client.shutdown_session()


def uri_in(workspace, name: str) -> str:
    return (workspace / name).as_uri()


async def test_initialize_advertises_both_completion_kinds(workspace):
    config = server_config()
    client = await config.start()
    try:
        result = await start_session(client, workspace.as_uri(), {"model": TINY_MODEL})
        capabilities = result.capabilities
        assert capabilities.inline_completion_provider
        assert capabilities.completion_provider is not None
        assert result.server_info.name == "genls"
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_inline_completion_in_a_function_body(client: LanguageClient, workspace):
    uri = uri_in(workspace, "shapes.py")
    text = SOURCE.replace('    return f"radius', '    result = circle_area(\n    return f"radius')
    open_document(client, uri, text)
    position = position_of(text, "    result = circle_area(")
    result = await inline(client, uri, position)
    assert result is not None and len(result.items) == 1
    item = result.items[0]
    suggestion = item.insert_text
    assert suggestion.strip()
    assert "\n" not in suggestion  # mid-statement: one line
    assert "<|" not in suggestion and "<fim" not in suggestion
    assert item.range.start == position
    assert item.command.command == "genls.acceptedCompletion"


async def test_ghost_text_with_the_completion_list_open_continues_the_selected_item(
    client: LanguageClient, workspace
):
    # VS Code, its word list open on `a` with `add` selected, shows only ghost text that
    # starts with `add`: genls answers for the text as it will be once `add` is accepted.
    uri = uri_in(workspace, "add.py")
    text = "def add(a, b):\n    return a"
    open_document(client, uri, text)
    cursor = position_of(text, "return a")
    word = types.Range(start=types.Position(line=1, character=11), end=cursor)
    params = inline_params(uri, cursor)
    params.context.selected_completion_info = types.SelectedCompletionInfo(range=word, text="add")
    result = await client.text_document_inline_completion_async(params)
    assert len(result.items) == 1
    item = result.items[0]
    assert item.range == word
    assert item.insert_text.startswith("add") and len(item.insert_text) > len("add")
    # The same continuation as for a document that already says `add`.
    accepted = "def add(a, b):\n    return add"
    other = uri_in(workspace, "accepted.py")
    open_document(client, other, accepted)
    plain = await inline(client, other, position_of(accepted, "return add"))
    assert "add" + plain.items[0].insert_text == item.insert_text
    word_start = len("def add(a, b):\n    return ")
    assert list(item.command.arguments) == [uri, word_start, item.insert_text]


async def test_completion_list_fallback_uses_the_same_engine(client: LanguageClient, workspace):
    uri = uri_in(workspace, "shapes.py")
    text = SOURCE + "\n\ndef perimeter(radius: float) -> float:\n    return 2 * math.p"
    open_document(client, uri, text)
    position = position_of(text, "return 2 * math.p")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position
        )
    )
    assert isinstance(result, types.CompletionList) and result.is_incomplete
    assert len(result.items) == 1
    item = result.items[0]
    # The item replaces the word being typed, so clients' filtering keeps it.
    assert item.text_edit.new_text.startswith("p")
    assert item.text_edit.range.start == types.Position(
        line=position.line, character=position.character - 1
    )
    assert item.filter_text.startswith("p")


async def test_typing_the_suggestion_is_answered_from_the_cache(client: LanguageClient, workspace):
    uri = uri_in(workspace, "cache.py")
    text = "def square(x):\n    return x *"
    open_document(client, uri, text)
    first = await inline(client, uri, position_of(text, "return x *"))
    suggestion = first.items[0].insert_text
    assert len(suggestion) >= 2
    assert (await status(client))["lastCompletion"]["source"] == "model"
    typed = text + suggestion[0]
    change_document(client, uri, 2, typed)
    second = await inline(client, uri, position_of(typed, "return x *" + suggestion[0]))
    assert second.items[0].insert_text == suggestion[1:]
    answer = (await status(client))["lastCompletion"]
    assert answer["source"] == "cache" and answer["shown"] and answer["milliseconds"] >= 0


async def status(client: LanguageClient) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.status")
    )


async def test_cancelled_request_stops_the_model(client: LanguageClient, workspace):
    """$/cancelRequest answers at once and stops the generation at its next token."""
    uri = uri_in(workspace, "count.py")
    # Greedy decoding makes the tiny model count on, on this one line, until maxTokens.
    text = "numbers = [" + ", ".join(str(i) for i in range(1, 30)) + ", "
    open_document(client, uri, text)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "genls": {
                    "model": TINY_MODEL,
                    "maxTokens": 300,
                    "maxLines": 300,
                    "logLevel": "debug",
                }
            }
        )
    )
    slow = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION,
            inline_params(uri, position_of(text, text)),
            msg_id="slow-request",
        )
    )
    # Cancelled once the model is generating (the server's debug log says so).
    while not any("generating for" in m.message for m in client.log_messages):
        assert not slow.done()
        await asyncio.sleep(0.02)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-request"))
    with pytest.raises(JsonRpcException, match="cancel"):
        await slow

    # The model is free for the next request, and the cancelled generation stopped early.
    other = "def double(x):\n    return x *"
    open_document(client, uri_in(workspace, "other.py"), other)
    assert (await inline(client, uri_in(workspace, "other.py"), position_of(other, other))).items
    records = (await status(client))["recentGenerations"]
    cancelled = [r for r in records if r["cancelled"] and r["path"].endswith("count.py")]
    assert cancelled and cancelled[-1]["generated_tokens"] < 150

    # Uncancelled, the same request really does run to 300 tokens.
    await inline(client, uri, position_of(text, text))
    finished = (await status(client))["recentGenerations"][-1]
    assert not finished["cancelled"] and finished["generated_tokens"] == 300


async def test_newer_request_supersedes_an_older_one(client: LanguageClient, workspace):
    uri = uri_in(workspace, "race.py")
    text = "values = [1, 2, 3, "
    open_document(client, uri, text)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"logLevel": "debug"}})
    )
    older = asyncio.ensure_future(inline(client, uri, position_of(text, text)))
    # The person types on while the model works on the older request.
    while not any("generating for" in m.message for m in client.log_messages):
        assert not older.done()
        await asyncio.sleep(0.02)
    change_document(client, uri, 2, text + "4, ")
    newer = await inline(client, uri, position_of(text + "4, ", "4, "))
    older_result = await older
    assert newer.items  # the newest request gets the answer
    assert len(older_result.items) == 0  # the superseded one gets an empty list, not an error


async def test_unknown_document_is_a_clear_error(client: LanguageClient, workspace):
    with pytest.raises(JsonRpcException, match="open it"):
        await inline(
            client, uri_in(workspace, "never_opened.py"), types.Position(line=0, character=0)
        )
    await test_inline_completion_in_a_function_body(client, workspace)  # still serving


async def test_positions_past_the_end(client: LanguageClient, workspace):
    uri = uri_in(workspace, "short.py")
    text = "x = 1\ny = "
    open_document(client, uri, text)
    clamped = await inline(client, uri, types.Position(line=1, character=500))
    assert clamped is not None  # a character past the line end means the line end
    with pytest.raises(JsonRpcException, match="past the end"):
        await inline(client, uri, types.Position(line=40, character=0))


async def test_binary_document_gets_no_suggestion(client: LanguageClient, workspace):
    uri = uri_in(workspace, "blob.py")
    text = "PNG\x00\x01\x02" * 100 + "\nx = "
    open_document(client, uri, text)
    result = await inline(client, uri, position_of(text, "x = "))
    assert len(result.items) == 0


async def test_five_megabyte_single_line(client: LanguageClient, workspace):
    uri = uri_in(workspace, "minified.js")
    text = "var a=[" + "1," * 2_500_000
    open_document(client, uri, text, language="javascript")
    result = await inline(client, uri, types.Position(line=0, character=len(text)))
    assert result is not None
    await test_inline_completion_in_a_function_body(client, workspace)


async def test_disabled_language_gets_nothing(client: LanguageClient, workspace):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"disabledLanguages": ["markdown"]}})
    )
    uri = uri_in(workspace, "notes.md")
    open_document(client, uri, "# Notes\n\nThe plan is", language="markdown")
    result = await inline(client, uri, types.Position(line=2, character=11))
    assert len(result.items) == 0


async def test_flags_win_over_the_settings_file_and_the_editor(workspace):
    # The order the one-shot commands use too: file < editor < flags.
    (workspace / ".genls.toml").write_text("maxTokens = 30\nthreads = 1\ncontextTokens = 700\n")
    client = await server_config("--max-tokens", "50").start()
    try:
        await start_session(
            client, workspace.as_uri(), {"model": TINY_MODEL, "maxTokens": 40, "threads": 2}
        )
        settings = (await status(client))["settings"]
        assert (settings["maxTokens"], settings["threads"], settings["contextTokens"]) == (
            50,
            2,
            700,
        )
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"genls": {"maxTokens": 60, "threads": 1}})
        )
        settings = (await status(client))["settings"]
        assert (settings["maxTokens"], settings["threads"]) == (50, 1)
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_bad_settings_are_reported_and_old_ones_kept(client: LanguageClient, workspace):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"maxTokens": "lots"}})
    )
    await test_inline_completion_in_a_function_body(client, workspace)
    assert any("maxTokens" in m.message for m in client.messages)


async def test_unloadable_model_is_reported_and_recovery_works(client: LanguageClient, workspace):
    garbage = workspace / "broken.gguf"
    garbage.write_bytes(b"this is not a gguf file" * 100)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"model": str(garbage)}})
    )
    uri = uri_in(workspace, "a.py")
    text = "def f():\n    return "
    open_document(client, uri, text)
    result = await inline(client, uri, position_of(text, "return "))
    assert len(result.items) == 0
    assert any("broken.gguf" in m.message for m in client.messages)

    missing = workspace / "missing.gguf"
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"model": str(missing)}})
    )
    result = await inline(client, uri, position_of(text, "return "))
    assert len(result.items) == 0
    assert any("bundled model" in m.message for m in client.messages)

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"model": TINY_MODEL}})
    )
    await test_inline_completion_in_a_function_body(client, workspace)


async def test_accepting_a_suggestion_prepares_the_next_one(client: LanguageClient, workspace):
    uri = uri_in(workspace, "greet.py")
    text = "def greet(name):\n    message = "
    open_document(client, uri, text)
    item = (await inline(client, uri, position_of(text, text))).items[0]
    accepted = text + item.insert_text
    change_document(client, uri, 2, accepted)  # what the editor does on accept...
    await client.workspace_execute_command_async(  # ...then it runs the item's command
        types.ExecuteCommandParams(command=item.command.command, arguments=item.command.arguments)
    )
    records = (await status(client))["recentGenerations"]
    speculative = records[-1]
    assert speculative["path"].endswith("greet.py") and not speculative["cancelled"]

    await inline(client, uri, position_of(accepted, accepted))
    # Answered from what the speculation computed: no new model call.
    after = await status(client)
    assert after["recentGenerations"] == records
    assert after["lastCompletion"]["source"] == "speculation"


async def test_a_speculation_never_stops_a_request_being_answered(
    client: LanguageClient, workspace
):
    """An accept command that arrives after the next request leaves that request alone."""
    uri = uri_in(workspace, "order.py")
    text = "def square(x):\n    return x *"
    open_document(client, uri, text)
    params = inline_params(uri, position_of(text, text))
    # Sent now, before the command below (send_request writes at once).
    request = client.protocol.send_request(types.TEXT_DOCUMENT_INLINE_COMPLETION, params)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.acceptedCompletion", arguments=[uri, 5, ""])
    )
    assert (await asyncio.wrap_future(request)).items  # answered, not superseded
    records = (await status(client))["recentGenerations"]
    assert [r["cancelled"] for r in records if r["path"].endswith("order.py")] == [False]


async def test_a_suggestion_ends_before_its_first_unlikely_token(client: LanguageClient, workspace):
    text = "def square(x):\n    return x *"
    whole_uri, cut_uri = uri_in(workspace, "whole.py"), uri_in(workspace, "cut.py")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"minTokenProbability": 0}})
    )
    open_document(client, whole_uri, text)
    whole = (await inline(client, whole_uri, position_of(text, text))).items[0].insert_text
    decoded_whole = (await status(client))["recentGenerations"][-1]["generated_tokens"]
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": {"minTokenProbability": 0.999}})
    )
    open_document(client, cut_uri, text)  # the same prompt: the same tokens, greedy
    result = await inline(client, cut_uri, position_of(text, text))
    cut = result.items[0].insert_text if result.items else ""
    assert whole.startswith(cut) and len(cut) < len(whole)
    # Decoding stopped at the unlikely token: what followed it was never generated.
    decoded_cut = (await status(client))["recentGenerations"][-1]["generated_tokens"]
    assert decoded_cut < decoded_whole


async def wait_for_prewarm(client: LanguageClient, offset: int) -> dict:
    """The server's status once it has prefilled the prompt at `offset` (polled, with a limit)."""
    for _ in range(600):
        last = (await status(client))["lastPrewarm"]
        if last is not None and last["offset"] == offset:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"no prewarm at offset {offset}: {last}")


async def test_the_first_request_where_the_cursor_rested_reuses_its_prefill(
    client: LanguageClient, workspace
):
    """genls/didMoveCursor prefills there: the request that follows only reads the cache."""
    uri = uri_in(workspace, "rest.py")
    open_document(client, uri, SOURCE)  # didOpen prewarms at the end of the file, not here
    marker = "def circle_area(radius: float) -> float:"
    at = position_of(SOURCE, marker)
    client.protocol.notify(
        "genls/didMoveCursor",
        types.TextDocumentPositionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=at
        ),
    )
    prewarm = await wait_for_prewarm(client, SOURCE.index(marker) + len(marker))
    assert prewarm["path"].endswith("rest.py") and prewarm["finished"]

    await inline(client, uri, at)
    generation = (await status(client))["recentGenerations"][-1]
    assert generation["reused_tokens"] >= generation["prompt_tokens"] - 1, generation


async def test_a_cursor_in_an_unknown_document_or_past_the_end_is_ignored(
    client: LanguageClient, workspace
):
    uri = uri_in(workspace, "short.py")
    open_document(client, uri, "x = 1\n")
    for target, line in ((uri_in(workspace, "never_opened.py"), 0), (uri, 40)):
        client.protocol.notify(
            "genls/didMoveCursor",
            types.TextDocumentPositionParams(
                text_document=types.TextDocumentIdentifier(uri=target),
                position=types.Position(line=line, character=0),
            ),
        )
    # Notifications are handled in order: the server is still serving, and prewarmed neither.
    assert (await inline(client, uri, types.Position(line=1, character=0))) is not None
    last = (await status(client))["lastPrewarm"]
    assert last is None or (last["path"].endswith("short.py") and last["offset"] == len("x = 1\n"))
