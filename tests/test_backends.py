"""Each backend against a real model: llama.cpp in process, transformers, an HTTP server."""

from __future__ import annotations

import pytest
from lsprotocol import types

from genls.assist.confidence import first_line_confidence
from genls.errors import BackendError
from genls.llm.backend import ChatMessage, GenerationRequest
from genls.llm.llama_backend import LlamaCppBackend
from genls.llm.openai_backend import OpenAICompatibleBackend
from genls.llm.registry import ModelStore
from tests.conftest import DEFAULT_MODEL, TINY_MODEL
from tests.llama_server import free_port
from tests.llama_server import llama_server as llama_server_at


def request(prompt: str, max_tokens: int = 16, stop: tuple[str, ...] = ()) -> GenerationRequest:
    return GenerationRequest(prompt=prompt, max_tokens=max_tokens, temperature=0.0, stop=stop)


def never() -> bool:
    return False


@pytest.fixture(scope="module")
def tiny_path():
    return ModelStore().path_for(TINY_MODEL)


@pytest.fixture(scope="module")
def tiny(tiny_path):
    backend = LlamaCppBackend(tiny_path, threads=2, n_ctx=512)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def qwen():
    backend = LlamaCppBackend(ModelStore().path_for(DEFAULT_MODEL), threads=2, n_ctx=1024)
    yield backend
    backend.close()


def test_tiny_model_has_no_fim_tokens_and_generates(tiny):
    assert tiny.fim is None  # SmolLM2: genls falls back to prefix-only prompts
    text = "".join(tiny.generate(request("def add(a, b):\n    return"), never))
    assert text.strip()
    assert tiny.last_stats.generated_tokens > 0


def test_each_generated_token_has_its_probability_where_the_text_it_wrote_ends(tiny):
    counting = "".join(tiny.generate(request("1, 2, 3, 4, 5, 6, 7, 8,", 6), never))
    logprobs = tiny.last_stats.token_logprobs
    assert len(logprobs) == tiny.last_stats.generated_tokens == 6
    ends = [end for end, _ in logprobs]
    assert ends == sorted(ends) and ends[-1] == len(counting)
    assert all(lp <= 0 for _, lp in logprobs)
    sure = first_line_confidence(counting, logprobs)
    letters = "".join(tiny.generate(request("Random letters: qzkv wjxp hgfo", 6), never))
    unsure = first_line_confidence(letters, tiny.last_stats.token_logprobs)
    assert 0 < unsure < sure <= 1  # counting on is far surer than random letters


def test_stop_strings_end_generation_and_are_not_emitted(tiny):
    prompt = "1, 2, 3, 4, 5, 6, 7, 8,"
    full = "".join(tiny.generate(request(prompt, 24), never))
    assert " 10" in full  # the model counts on
    stopped = "".join(tiny.generate(request(prompt, 24, stop=(" 10",)), never))
    assert " 10" not in stopped and full.startswith(stopped)


def test_should_stop_ends_generation_at_the_next_token(tiny):
    pieces = []

    def stop_after_three() -> bool:
        return len(pieces) >= 3

    for piece in tiny.generate(request("Once upon a time", 64), stop_after_three):
        pieces.append(piece)
    assert len(pieces) == 3
    assert tiny.last_stats.generated_tokens <= 4


def test_qwen_is_detected_as_a_fim_model(qwen):
    assert qwen.fim is not None and qwen.fim.name == "qwen"


def test_appending_to_the_prompt_reuses_the_kv_cache(qwen):
    prompt = qwen.fim.build("", "def area(r):\n", "\n", "    return 3.14 *")
    "".join(qwen.generate(request(prompt, 4), never))
    first_tokens = qwen.last_stats.prompt_tokens
    "".join(qwen.generate(request(prompt + " r", 4), never))
    assert qwen.last_stats.reused_tokens >= first_tokens - 2


def test_prewarm_fills_the_cache_for_the_next_request(qwen):
    prompt = qwen.fim.build("", "class Point:\n", "\n", "    def __init__(self, x, y):\n")
    qwen.prewarm(prompt, never)
    "".join(qwen.generate(request(prompt, 4), never))
    stats = qwen.last_stats
    assert stats.reused_tokens >= stats.prompt_tokens - 1


def test_transformers_backend_agrees_with_llama_cpp(tiny, tiny_path):
    from genls.llm.transformers_backend import TransformersBackend

    backend = TransformersBackend(tiny_path, gguf_file=None, threads=2)
    prompt = "The capital of France is"
    ours = "".join(backend.generate(request(prompt, 3), never))
    reference = "".join(tiny.generate(request(prompt, 3), never))
    assert ours.split()[:1] == reference.split()[:1]  # same greedy first word
    assert backend.fim is None
    assert backend.count_tokens("hello world") == tiny.count_tokens("hello world")


CHAT = [
    ChatMessage("system", "You answer with one word."),
    ChatMessage("user", "What is the capital of France?"),
]


def test_chat_uses_the_models_own_template(tiny):
    reply = "".join(tiny.chat(CHAT, 8, 0.0, never))
    assert "Paris" in reply
    assert "<|im_end|>" not in reply and "<|im_start|>" not in reply


def test_transformers_chat_agrees_with_llama_cpp(tiny, tiny_path):
    from genls.llm.transformers_backend import TransformersBackend

    backend = TransformersBackend(tiny_path, gguf_file=None, threads=2)
    ours = "".join(backend.chat(CHAT, 4, 0.0, never))
    assert ours.split()[:1] == "".join(tiny.chat(CHAT, 4, 0.0, never)).split()[:1]


def test_instruction_model_loads_on_first_question():
    from genls.config import Settings
    from genls.llm.instruction import InstructionModel

    model = InstructionModel(Settings().merged({"instruction_model": TINY_MODEL}))
    assert not model.loaded
    assert "Paris" in model.ask(CHAT[0].content, CHAT[1].content, max_tokens=8)
    assert model.loaded
    model.close()


def test_new_settings_never_wait_for_a_question_being_answered():
    """didChangeConfiguration runs on the event loop: it must not wait for a generation."""
    import threading

    from genls.config import Settings
    from genls.llm.instruction import InstructionModel

    model = InstructionModel(Settings().merged({"instruction_model": TINY_MODEL, "threads": 2}))
    generating, release = threading.Event(), threading.Event()

    def held() -> bool:  # the generation's cancellation check: it waits here, holding the lock
        generating.set()
        release.wait(timeout=120)
        return False

    question = threading.Thread(
        target=model.ask, args=(CHAT[0].content, CHAT[1].content), kwargs={"should_stop": held}
    )
    question.start()
    assert generating.wait(timeout=120)
    applied = threading.Event()
    threading.Thread(
        target=lambda: (
            model.update_settings(
                Settings().merged({"instruction_model": TINY_MODEL, "threads": 1})
            ),
            applied.set(),
        )
    ).start()
    try:
        assert applied.wait(timeout=30), "update_settings waited for the generation"
    finally:
        release.set()
        question.join(timeout=120)
    # The next question runs on the model loaded with the new settings.
    assert "Paris" in model.ask(CHAT[0].content, CHAT[1].content, max_tokens=8)
    assert "1 threads" in model.description
    model.close()


@pytest.fixture(scope="module")
def llama_server(tiny_path, tmp_path_factory):
    """A real OpenAI-compatible server on loopback, serving the tiny model."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server_at(tiny_path, log, "--n_ctx", "1024") as url:
        yield url, str(tiny_path)


def test_openai_backend_streams_from_a_real_server(llama_server, tiny):
    endpoint, model = llama_server
    backend = OpenAICompatibleBackend(endpoint, model)
    prompt = "def add(a, b):\n    return"
    remote = "".join(backend.generate(request(prompt, 8), never))
    local = "".join(tiny.generate(request(prompt, 8), never))
    assert remote.strip()
    assert remote.split()[:1] == local.split()[:1]  # same model, same greedy start
    assert backend.last_stats.generated_tokens > 0
    backend.close()


def test_openai_backend_chat_reaches_the_chat_route(llama_server, tiny):
    endpoint, model = llama_server
    backend = OpenAICompatibleBackend(endpoint, model)
    remote = "".join(backend.chat(CHAT, 8, 0.0, never))
    assert remote.split()[:1] == "".join(tiny.chat(CHAT, 8, 0.0, never)).split()[:1]
    backend.close()


def test_openai_backend_stops_reading_when_cancelled(llama_server):
    endpoint, model = llama_server
    backend = OpenAICompatibleBackend(endpoint, model)
    pieces = []
    for piece in backend.generate(request("Once upon a time", 200), lambda: len(pieces) >= 2):
        pieces.append(piece)
    assert len(pieces) == 2
    backend.close()


def test_openai_backend_unreachable_server_is_a_clear_error():
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{free_port()}", "any")
    with pytest.raises(BackendError, match="cannot reach the model server"):
        "".join(backend.generate(request("x"), never))


async def test_language_server_on_the_openai_backend(llama_server, workspace):
    """The whole server, configured for a shared model server, completes over LSP."""
    from tests.conftest import inline, open_document, position_of, server_config, start_session

    endpoint, model = llama_server
    client = await server_config().start()
    try:
        options = {
            "genls": {"backend": "openai", "endpoint": endpoint, "model": model, "maxTokens": 12}
        }
        await start_session(client, workspace.as_uri(), options)
        text = "def add(a, b):\n    return"
        uri = (workspace / "add.py").as_uri()
        open_document(client, uri, text)
        result = await inline(client, uri, position_of(text, text))
        assert result.items and result.items[0].insert_text.strip()
        status = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.status")
        )
        assert "OpenAI-compatible" in status["model"]
        await client.shutdown_session()
    finally:
        await client.stop()
