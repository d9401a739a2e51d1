"""Fill-in-the-middle prompt formats per model family.

Every format is prefix-suffix-middle (PSM): Qwen2.5-Coder collapses in SPM order (DESIGN.md).
The last lines before the cursor may be placed after the middle marker, as the already written
start of the middle (as llama.vim does with the cursor's line), so that typing only appends to
the prompt and the KV cache keeps everything before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """Code from elsewhere in the workspace, labelled with its path in the prompt."""

    path: str
    text: str


@dataclass(frozen=True)
class FimFormat:
    name: str
    prefix: str
    suffix: str
    middle: str
    # Separates files in repository-level prompts; None where the family has no such token.
    file_separator: str | None
    stop: tuple[str, ...]
    # A token only this family has, used to recognise it from the model's vocabulary.
    signature: str

    @property
    def special_tokens(self) -> tuple[str, ...]:
        tokens = (self.prefix, self.suffix, self.middle, self.file_separator, *self.stop)
        return tuple(t.strip() for t in tokens if t)

    def header(self, path: str, snippets: Sequence[Snippet], comment: str) -> str:
        """Cross-file snippets, then the current file's name, before the FIM prefix marker."""
        if self.file_separator:
            parts = [f"{self.file_separator}{s.path}\n{s.text.rstrip()}\n" for s in snippets]
            parts.append(f"{self.file_separator}{path}\n")
            return "".join(parts)
        return prefix_only_header(path, snippets, comment)

    def build(self, header: str, prefix: str, suffix: str, middle: str = "") -> str:
        """PSM; `middle` is the start of the middle, already written (see genls.assist.prompt)."""
        if self.file_separator:
            return f"{header}{self.prefix}{prefix}{self.suffix}{suffix}{self.middle}{middle}"
        return f"{self.prefix}{header}{prefix}{self.suffix}{suffix}{self.middle}{middle}"


def prefix_only_header(path: str, snippets: Sequence[Snippet], comment: str) -> str:
    """For models without separators: snippets as line comments, which any language accepts."""
    lines = []
    for snippet in snippets:
        lines.append(f"{comment} {snippet.path}")
        lines.extend(f"{comment} {line}" for line in snippet.text.rstrip().splitlines())
    if snippets:
        lines.append(f"{comment} {path}")
    return "".join(line + "\n" for line in lines)


FORMATS: dict[str, FimFormat] = {
    f.name: f
    for f in (
        FimFormat(
            name="qwen",
            prefix="<|fim_prefix|>",
            suffix="<|fim_suffix|>",
            middle="<|fim_middle|>",
            file_separator="<|file_sep|>",
            stop=("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>", "<|fim_prefix|>"),
            signature="<|fim_pad|>",
        ),
        FimFormat(
            name="codegemma",
            prefix="<|fim_prefix|>",
            suffix="<|fim_suffix|>",
            middle="<|fim_middle|>",
            file_separator="<|file_separator|>",
            stop=("<|file_separator|>", "<eos>", "<end_of_turn>"),
            signature="<|file_separator|>",
        ),
        FimFormat(
            name="starcoder",
            prefix="<fim_prefix>",
            suffix="<fim_suffix>",
            middle="<fim_middle>",
            file_separator="<file_sep>",
            stop=("<|endoftext|>", "<file_sep>", "<fim_prefix>"),
            signature="<fim_prefix>",
        ),
        FimFormat(
            name="deepseek",
            prefix="<｜fim▁begin｜>",
            suffix="<｜fim▁hole｜>",
            middle="<｜fim▁end｜>",
            file_separator=None,
            stop=("<｜end▁of▁sentence｜>", "<|EOT|>"),
            signature="<｜fim▁hole｜>",
        ),
        FimFormat(
            name="codellama",
            prefix="<PRE> ",
            suffix=" <SUF>",
            middle=" <MID>",
            file_separator=None,
            stop=("<EOT>",),
            signature="<SUF>",
        ),
    )
}

# Checked in this order: Qwen and CodeGemma share their FIM markers, their separators differ.
_DETECTION_ORDER = ("qwen", "codegemma", "starcoder", "deepseek", "codellama")


def detect_format(is_single_token: Callable[[str], bool]) -> FimFormat | None:
    """The family whose markers are all single tokens of this model's vocabulary, else None."""
    for name in _DETECTION_ORDER:
        fmt = FORMATS[name]
        markers = (fmt.signature, fmt.prefix.strip(), fmt.suffix.strip(), fmt.middle.strip())
        if all(is_single_token(marker) for marker in markers):
            return fmt
    return None


def guess_format_from_name(model_name: str) -> FimFormat | None:
    """For remote models, where the vocabulary is out of reach: go by the model's name."""
    name = model_name.lower()
    for key, fmt in (
        ("qwen", "qwen"),
        ("codegemma", "codegemma"),
        ("starcoder", "starcoder"),
        ("deepseek", "deepseek"),
        ("codellama", "codellama"),
        ("code-llama", "codellama"),
    ):
        if key in name:
            return FORMATS[fmt]
    return None


def resolve_format(setting: str, detected: FimFormat | None) -> FimFormat | None:
    """The fimFormat setting wins; "auto" takes what detection found; "none" disables FIM."""
    if setting == "auto":
        return detected
    if setting == "none":
        return None
    return FORMATS[setting]
