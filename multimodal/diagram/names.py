"""Identifiers for diagram languages: stable, unique, made of letters, digits and _."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def identifiers(ids: list[str], prefix: str) -> dict[str, str]:
    """A safe identifier for each id, derived from it (so diffs stay readable); ids that
    collapse to the same text get a counter, in sorted order, so the mapping is stable."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for original in sorted(ids):
        base = prefix + _UNSAFE.sub("_", original)
        name, count = base, 1
        while name in used:
            count += 1
            name = f"{base}_{count}"
        used.add(name)
        out[original] = name
    return out
