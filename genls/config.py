"""One typed Settings object.

Precedence, lowest first: defaults < pyproject ``[tool.genls]`` or ``.genls.toml`` in the
workspace < LSP initializationOptions < workspace/didChangeConfiguration. Keys may be written
in camelCase (as editors do) or snake_case; an unknown key or a value of the wrong type raises
ConfigError with the key's name, so a typo never silently keeps a default.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from genls.errors import ConfigError
from genls.typed_values import camel, checked_values, snake

BACKENDS = ("llama.cpp", "transformers", "openai")
FIM_FORMATS = ("auto", "qwen", "starcoder", "codellama", "deepseek", "codegemma", "none")
LOG_LEVELS = ("debug", "info", "warning", "error")
DOCSTRING_STYLES = ("google", "numpy", "sphinx")


def default_threads() -> int:
    """Physical cores are what llama.cpp scales with; leave none idle on a 2-core laptop."""
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except Exception:  # psutil may not know the topology in a container
        return max(1, os.cpu_count() or 1)


def _key(name: str, default: Any = dataclasses.MISSING, **kwargs: Any) -> Any:
    """A section's field whose setting is named `name` (camelCase) rather than after it."""
    return field(default=default, metadata={"key": name}, **kwargs)


@dataclass(frozen=True)
class RuntimeSettings:
    """How every model runs: which backend, where, on how many threads."""

    backend: str = "llama.cpp"
    # transformers backend: the GGUF file inside the model folder, if loading from GGUF.
    gguf_file: str | None = None
    # openai backend: base URL of an OpenAI-compatible server, and its key (if any).
    endpoint: str | None = None
    api_key: str | None = None
    threads: int = field(default_factory=default_threads)

    def __post_init__(self) -> None:
        _check_choice("backend", self.backend, BACKENDS)
        _check_positive("threads", self.threads)
        _check_url("endpoint", self.endpoint)
        if self.backend == "openai" and not self.endpoint:
            raise ConfigError("the openai backend needs an endpoint, e.g. http://127.0.0.1:8080")


@dataclass(frozen=True)
class CompletionSettings:
    """Ghost text: the model, its prompt budget and what a suggestion may be."""

    # A registry name (see `genls doctor`), a GGUF file, a Hugging Face folder, or, for the
    # openai backend, the model name the server knows.
    model: str = "qwen2.5-coder-0.5b"
    # Prompt budget in tokens (prefix + suffix + cross-file snippets). 768 measured as good as
    # 1,024 on `genls bench replay` (characters saved, acceptance) with a faster arrival.
    context_tokens: int = 768
    # Of that budget, at most this many tokens follow the cursor.
    suffix_tokens: int = 256
    max_tokens: int = 64
    # Multi-line suggestions stop after this many lines.
    max_lines: int = 12
    temperature: float = 0.0
    # A suggestion ends before its first token the model gave less than this probability
    # (nothing is shown when that is the first); 0 shows all; None: the value measured for
    # the bundled model (genls.llm.registry), 0 for other models.
    min_token_probability: float | None = None
    fim_format: str = "auto"
    # Fill the model's cache on didOpen and after an accepted suggestion.
    prewarm: bool = True
    # Server-side debounce; clients usually debounce themselves.
    debounce_ms: int = 0
    # languageIds for which completion is off, e.g. ["markdown", "plaintext"].
    disabled_languages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_choice("fimFormat", self.fim_format, FIM_FORMATS)
        for name in ("context_tokens", "max_tokens", "max_lines"):
            _check_positive(camel(name), getattr(self, name))
        if not 0 <= self.suffix_tokens < self.context_tokens:
            raise ConfigError("setting suffixTokens must be between 0 and contextTokens")
        if self.min_token_probability is not None and not 0 <= self.min_token_probability < 1:
            raise ConfigError("setting minTokenProbability must be at least 0 and below 1")
        if not 0.0 <= self.temperature <= 2.0:
            raise ConfigError("setting temperature must be between 0 and 2")


@dataclass(frozen=True)
class NextEditSettings:
    """Next-edit suggestions (genls/nextEdit, and inline suggestions that replace text on the
    cursor's line): on/off; the model that rewrites the lines around the cursor, None for none
    (only the edits found without a model: a rename by hand continued), since on `genls bench
    next-edit` the bundled models offered nothing that passed the checks; and how many lines
    above and below the cursor it may rewrite."""

    enabled: bool = _key("nextEdit", True)
    model: str | None = _key("nextEditModel", None)
    lines: int = _key("nextEditLines", 10)

    def __post_init__(self) -> None:
        _check_positive("nextEditLines", self.lines)


@dataclass(frozen=True)
class InstructionSettings:
    """The instruction-following model for docstrings, refactors and history documents (same
    backend and endpoint as completion), loaded on first use; how docstrings are written."""

    model: str = _key("instructionModel", "qwen2.5-coder-1.5b")
    # Python docstrings: google, numpy or sphinx; generated documentation wraps at this width.
    docstring_style: str = "google"
    doc_line_width: int = 88

    def __post_init__(self) -> None:
        _check_choice("docstringStyle", self.docstring_style, DOCSTRING_STYLES)
        if self.doc_line_width < 40:
            raise ConfigError("setting docLineWidth must be at least 40")


@dataclass(frozen=True)
class IndexSettings:
    """The workspace index: on/off, its folder (inside the workspace), which files, which
    embedder, which store. A change of any of these opens the index again."""

    enabled: bool = _key("index", True)
    folder: str = _key("indexFolder", ".genls")
    max_file_bytes: int = 1_000_000
    embedding_model: str = "all-MiniLM-L6-v2"
    # A team's OpenAI-compatible /v1/embeddings server; embeddingModel is then its model name.
    embedding_endpoint: str | None = None
    # "local", or a team's shared index in PostgreSQL with pgvector (postgresql://...): it
    # serves the commit the workspace is on, and only files changed here are indexed here.
    store: str = _key("indexStore", "local")

    def __post_init__(self) -> None:
        _check_positive("maxFileBytes", self.max_file_bytes)
        _check_inside_workspace("indexFolder", self.folder)
        _check_url("embeddingEndpoint", self.embedding_endpoint)
        if self.store != "local" and not self.store.startswith(("postgresql://", "postgres://")):
            raise ConfigError('setting indexStore must be "local" or a postgresql:// URL')


@dataclass(frozen=True)
class AssetSettings:
    """Diagrams, images, music and sound effects: where their files go (inside the
    workspace), how big a diagram may be, which image model draws."""

    diagram_folder: str = "docs/diagrams"
    # A diagram shows at most this many nodes (the rest is left out, and named in a note).
    diagram_max_nodes: int = 60
    asset_folder: str = "assets/generated"
    # "icons32", the bundled model, or the path of a diffusers model folder on disk (unet/ +
    # scheduler/, or a Stable Diffusion folder).
    image_model: str = "icons32"

    def __post_init__(self) -> None:
        _check_positive("diagramMaxNodes", self.diagram_max_nodes)
        _check_inside_workspace("diagramFolder", self.diagram_folder)
        _check_inside_workspace("assetFolder", self.asset_folder)
        if not self.image_model:
            raise ConfigError("setting imageModel must be icons32 or a diffusers model folder")


@dataclass(frozen=True)
class Settings:
    """Every setting, in typed sections. People (editors, TOML files, flags) name settings
    flat, in camelCase (`maxTokens`, `indexFolder`): `merged` routes each to its section."""

    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    next_edit: NextEditSettings = field(default_factory=NextEditSettings)
    instruction: InstructionSettings = field(default_factory=InstructionSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    assets: AssetSettings = field(default_factory=AssetSettings)
    # Code lenses above functions and classes: "changed N times, last: <subject>" (git log -L).
    history_code_lens: bool = True
    log_level: str = "info"

    def __post_init__(self) -> None:
        _check_choice("logLevel", self.log_level, LOG_LEVELS)

    def merged(self, overrides: dict[str, Any] | None) -> Settings:
        """A new Settings with `overrides` (flat camelCase or snake_case keys) applied."""
        if not overrides:
            return self
        values = checked_values(overrides, _FLAT_HINTS, "setting", ConfigError)
        by_section: dict[str | None, dict[str, Any]] = {}
        for key, value in values.items():
            section, name = _FLAT[key]
            by_section.setdefault(section, {})[name] = value
        changed = {
            section: dataclasses.replace(getattr(self, section), **fields)
            for section, fields in by_section.items()
            if section is not None
        }
        return dataclasses.replace(self, **changed, **by_section.get(None, {}))

    def as_camel_dict(self) -> dict[str, Any]:
        """The flat settings, named as people write them."""
        out = {}
        for key, (section, name) in _FLAT.items():
            value = getattr(getattr(self, section), name) if section else getattr(self, name)
            out[camel(key)] = list(value) if isinstance(value, list) else value
        return out

    def as_shown_dict(self) -> dict[str, Any]:
        """The camelCase settings as logs and the status show them: no key, no password."""
        return self.as_camel_dict() | {
            "apiKey": None,
            "indexStore": without_password(self.index.store),
        }


def without_password(url: str) -> str:
    """A URL with its password (user:PASSWORD@ or ?password=) left out, for messages."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    credentials, at, location = rest.rpartition("@")  # the last @: a password may hold one
    location = re.sub(r"([?&])password=[^&]*&?", r"\1", location).rstrip("?&")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{location}" if at else f"{scheme}://{location}"


def _flat_names() -> tuple[dict[str, tuple[str | None, str]], dict[str, Any]]:
    """snake_case setting -> (section, field), and each setting's type."""
    flat: dict[str, tuple[str | None, str]] = {}
    hints: dict[str, Any] = {}
    top = get_type_hints(Settings)
    for outer in dataclasses.fields(Settings):
        kind = top[outer.name]
        if not dataclasses.is_dataclass(kind):
            flat[outer.name], hints[outer.name] = (None, outer.name), kind
            continue
        inner_hints = get_type_hints(kind)
        for inner in dataclasses.fields(kind):
            key = snake(inner.metadata.get("key", inner.name))
            assert key not in flat, f"two settings named {key}"
            flat[key], hints[key] = (outer.name, inner.name), inner_hints[inner.name]
    return flat, hints


_FLAT, _FLAT_HINTS = _flat_names()


def _check_choice(key: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"setting {key} is {value!r}; choose one of: {', '.join(choices)}")


def _check_positive(key: str, value: int) -> None:
    if value < 1:
        raise ConfigError(f"setting {key} must be at least 1")


def _check_inside_workspace(key: str, folder: str) -> None:
    path = Path(folder)
    if path.is_absolute() or ".." in path.parts:
        raise ConfigError(f"setting {key} must be a folder inside the workspace")


def _check_url(key: str, url: str | None) -> None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"setting {key} must be an http:// or https:// URL")


def layered_settings(
    workspace: dict[str, Any] | None,
    editor: dict[str, Any] | None,
    flags: dict[str, Any] | None,
) -> Settings:
    """The one precedence order, lowest first, for the server and the one-shot commands
    alike: defaults < the workspace's settings file < the editor's settings < command-line
    flags (typed for this one process, the most specific of all)."""
    return Settings().merged(workspace).merged(editor).merged(flags)


def read_workspace_settings(root: Path) -> dict[str, Any]:
    """`.genls.toml` wins over pyproject's [tool.genls]; neither is required."""
    dotfile = root / ".genls.toml"
    try:
        if dotfile.is_file():
            return tomllib.loads(dotfile.read_text(encoding="utf-8"))
        pyproject = root / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            return data.get("tool", {}).get("genls", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read genls settings in {root}: {exc}") from exc
    return {}


def unwrap_client_settings(raw: Any) -> dict[str, Any]:
    """Editors send either {"genls": {...}} or the settings themselves.

    An empty section can arrive as [] or null (Lua's empty table is also an empty list).
    """
    if not isinstance(raw, dict):
        return {}
    if "genls" not in raw:
        return raw
    inner = raw["genls"]
    if isinstance(inner, dict):
        return inner
    if inner not in (None, [], ""):
        raise ConfigError(f"the genls settings must be an object, not {inner!r}")
    return {}
