import pytest

from genls.config import (
    Settings,
    layered_settings,
    read_workspace_settings,
    unwrap_client_settings,
)
from genls.errors import ConfigError


def test_camel_and_snake_case_keys():
    s = Settings().merged({"contextTokens": 512, "max_tokens": 16, "temperature": 0})
    completion = s.completion
    assert (completion.context_tokens, completion.max_tokens, completion.temperature) == (
        512,
        16,
        0.0,
    )


def test_flat_names_reach_their_sections_and_back():
    flat = {
        "index": False,
        "indexFolder": "cache/genls",
        "indexStore": "postgresql://ci@db/genls",
        "nextEdit": False,
        "nextEditModel": "qwen2.5-coder-1.5b",
        "instructionModel": "smollm2-135m",
        "docstringStyle": "numpy",
        "imageModel": "models/sd",
        "threads": 3,
        "logLevel": "debug",
    }
    s = Settings().merged(flat)
    assert (s.index.enabled, s.index.folder, s.index.store) == (
        False,
        "cache/genls",
        "postgresql://ci@db/genls",
    )
    assert (s.next_edit.enabled, s.next_edit.model) == (False, "qwen2.5-coder-1.5b")
    assert (s.instruction.model, s.instruction.docstring_style) == ("smollm2-135m", "numpy")
    assert (s.assets.image_model, s.runtime.threads, s.log_level) == ("models/sd", 3, "debug")
    assert s.completion == Settings().completion  # untouched sections stay as they were
    camel = s.as_camel_dict()
    assert {key: camel[key] for key in flat} == flat
    assert Settings().merged(camel) == s


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contextTokenz": 1}, "unknown setting 'contextTokenz'"),
        ({"maxTokens": "many"}, "must be an integer"),
        ({"backend": "magic"}, "choose one of"),
        ({"threads": 0}, "at least 1"),
        ({"suffixTokens": 5000}, "suffixTokens"),
        ({"backend": "openai"}, "endpoint"),
        ({"disabledLanguages": [1]}, "list of strings"),
        ({"maxTokens": True}, "must be an integer"),
        ({"minTokenProbability": 1}, "minTokenProbability must be at least 0 and below 1"),
        ({"minTokenProbability": "high"}, "must be a number"),
    ],
)
def test_bad_settings_are_named(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Settings().merged(overrides)


def test_precedence_and_sources(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.genls]\nmaxTokens = 20\nmodel = "a.gguf"\n')
    assert read_workspace_settings(tmp_path) == {"maxTokens": 20, "model": "a.gguf"}
    (tmp_path / ".genls.toml").write_text("maxTokens = 30\n")
    workspace = read_workspace_settings(tmp_path)
    settings = Settings().merged(workspace).merged({"maxTokens": 40})
    assert settings.completion.max_tokens == 40
    assert Settings().merged(workspace).completion.max_tokens == 30


def test_one_precedence_for_server_and_command_line():
    # defaults < settings file < editor settings < command-line flags
    workspace = {"maxTokens": 30, "threads": 1, "contextTokens": 700}
    editor = {"maxTokens": 40, "threads": 2}
    flags = {"maxTokens": 50}
    settings = layered_settings(workspace, editor, flags)
    assert (
        settings.completion.max_tokens,
        settings.runtime.threads,
        settings.completion.context_tokens,
    ) == (50, 2, 700)
    assert layered_settings(workspace, None, {"threads": 3}).runtime.threads == 3
    assert layered_settings(None, None, None) == Settings()


def test_broken_settings_file_is_a_clear_error(tmp_path):
    (tmp_path / ".genls.toml").write_text("maxTokens = \n")
    with pytest.raises(ConfigError, match="cannot read genls settings"):
        read_workspace_settings(tmp_path)


def test_client_settings_may_be_wrapped():
    assert unwrap_client_settings({"genls": {"model": "x"}}) == {"model": "x"}
    assert unwrap_client_settings({"model": "x"}) == {"model": "x"}
    assert unwrap_client_settings(None) == {}
    # An empty section, as Neovim sends an empty Lua table: nothing to set, nothing unknown.
    assert unwrap_client_settings({"genls": []}) == {}
    assert unwrap_client_settings({"genls": None}) == {}
    with pytest.raises(ConfigError, match="must be an object"):
        unwrap_client_settings({"genls": "qwen"})
