"""Build the backend the settings ask for; the only place that knows all backends."""

from __future__ import annotations

from genls.config import Settings
from genls.llm.backend import Backend
from genls.llm.registry import ModelStore

# Room for the generated tokens and the tokens a FIM format adds around the budgeted text.
_CONTEXT_MARGIN = 64


def context_window(settings: Settings) -> int:
    return settings.completion.context_tokens + settings.completion.max_tokens + _CONTEXT_MARGIN


# Instruction prompts carry a function with its callers, or a batch of commit messages.
INSTRUCTION_CONTEXT_TOKENS = 4096


def create_backend(settings: Settings, store: ModelStore | None = None) -> Backend:
    """The completion model."""
    return _create(settings, settings.completion.model, context_window(settings), store)


def create_instruction_backend(settings: Settings, store: ModelStore | None = None) -> Backend:
    """The instruction model (docstrings, refactors, history documents)."""
    return _create(settings, settings.instruction.model, INSTRUCTION_CONTEXT_TOKENS, store)


# A next-edit prompt: related code, the last edits, the window before and now; plus the answer.
NEXT_EDIT_CONTEXT_TOKENS = 2048


def create_next_edit_backend(settings: Settings, store: ModelStore | None = None) -> Backend:
    """The model that rewrites the lines around the cursor (next-edit suggestions)."""
    assert settings.next_edit.model is not None  # NextEditEngine asks only when one is set
    return _create(settings, settings.next_edit.model, NEXT_EDIT_CONTEXT_TOKENS, store)


def _create(settings: Settings, model: str, n_ctx: int, store: ModelStore | None) -> Backend:
    if settings.runtime.backend == "openai":
        from genls.llm.openai_backend import OpenAICompatibleBackend

        assert settings.runtime.endpoint is not None  # Settings checks this
        return OpenAICompatibleBackend(settings.runtime.endpoint, model, settings.runtime.api_key)

    path = (store or ModelStore()).path_for(model)
    if settings.runtime.backend == "transformers":
        from genls.llm.transformers_backend import TransformersBackend

        return TransformersBackend(
            path, gguf_file=settings.runtime.gguf_file, threads=settings.runtime.threads
        )

    from genls.llm.llama_backend import LlamaCppBackend

    return LlamaCppBackend(path, threads=settings.runtime.threads, n_ctx=n_ctx)
