"""A Mermaid diagram as a fenced block in a markdown file, replaced in place on re-runs."""

from __future__ import annotations

import re


def _start(key: str) -> str:
    return f"<!-- genls-diagram: {key} -->"


_END = "<!-- /genls-diagram -->"


def with_block(markdown: str, key: str, mermaid: str) -> str:
    """The markdown text with the diagram `key` set to `mermaid`: the block between its
    markers is replaced if it is there, else appended at the end."""
    block = f"{_start(key)}\n```mermaid\n{mermaid.rstrip()}\n```\n{_END}"
    pattern = re.compile(re.escape(_start(key)) + r".*?" + re.escape(_END), re.DOTALL)
    if pattern.search(markdown):
        return pattern.sub(lambda _: block, markdown, count=1)
    if not markdown.strip():
        return block + "\n"
    return markdown.rstrip("\n") + "\n\n" + block + "\n"
