"""What every benchmark report says about where it ran."""

from __future__ import annotations

import datetime
import platform
from typing import Any

import psutil

from genls import __version__


def report_header(benchmark: str) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "physical_cores": psutil.cpu_count(logical=False),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "genls": __version__,
    }
