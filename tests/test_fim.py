from genls.llm.fim import FORMATS, detect_format, guess_format_from_name, resolve_format


def vocabulary_of(name):
    fmt = FORMATS[name]
    tokens = {fmt.signature, fmt.prefix.strip(), fmt.suffix.strip(), fmt.middle.strip()}
    return lambda text: text in tokens


def test_each_family_is_detected_from_its_vocabulary():
    for name in FORMATS:
        assert detect_format(vocabulary_of(name)).name == name


def test_qwen_and_codegemma_share_markers_but_not_separators():
    assert detect_format(vocabulary_of("codegemma")).name == "codegemma"
    assert detect_format(vocabulary_of("qwen")).name == "qwen"


def test_no_fim_tokens_means_prefix_only():
    assert detect_format(lambda text: False) is None


def test_names_of_remote_models():
    assert guess_format_from_name("Qwen2.5-Coder-7B").name == "qwen"
    assert guess_format_from_name("bigcode/starcoder2-3b").name == "starcoder"
    assert guess_format_from_name("llama3") is None


def test_setting_overrides_detection():
    detected = FORMATS["qwen"]
    assert resolve_format("auto", detected) is detected
    assert resolve_format("none", detected) is None
    assert resolve_format("deepseek", detected).name == "deepseek"


def test_codellama_prompt_shape():
    fmt = FORMATS["codellama"]
    assert fmt.build("", "def f(", "):") == "<PRE> def f( <SUF>): <MID>"
