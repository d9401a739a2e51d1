"""A bundled model converted on this machine into a type llama.cpp's CPU kernels repack.

Qwen2.5-Coder-0.5B's rows (896 wide) do not fit the 256-wide K-quant blocks, so most of its
"Q4_K_M" file is Q5_0, which llama.cpp multiplies without repacking. IQ4_NL (32-wide blocks,
a non-linear 4-bit grid) is repacked into interleaved rows at load time: it prefills 1.5x and
decodes 1.3x faster, for somewhat fewer characters saved on `genls bench replay`. The
conversion runs once, at provisioning, from the verified registry file.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from pathlib import Path

from genls.errors import ModelCorruptError

# The types a ModelSpec may ask for, by their llama.cpp names.
_FTYPES = ("IQ4_NL", "Q4_0")


def requantize(source: Path, target: Path, ftype: str) -> None:
    """Write `source` converted to `ftype` into `target` (which must not be in use)."""
    import llama_cpp  # the llama.cpp backend's dependency, loaded only to convert

    if ftype not in _FTYPES:
        raise ValueError(f"unknown quantization {ftype!r}, expected one of {_FTYPES}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype}")
    params.allow_requantize = True  # the source is quantized already
    params.nthread = os.cpu_count() or 1
    # llama.cpp reports every tensor it converts; only its errors are worth showing.
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params)
    if status != 0:
        raise ModelCorruptError(f"llama.cpp could not convert {source.name} to {ftype}")


def recipe(ftype: str) -> str:
    """What a converted file depends on besides its source: the type and the converter."""
    return f"{ftype} by llama-cpp-python {importlib.metadata.version('llama-cpp-python')}"
