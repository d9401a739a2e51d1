"""Next-edit suggestions on real commits: the edit after the one a person just made.

A case is a file a commit changed in two nearby hunks (bench.edit_pairs). The real server
(`genls serve` over stdio, no index: the workspace's later files would hold the answer) opens
the parent's file; the first hunk goes in as the person's edit (one didChange); the cursor
sits at its end and the client asks `genls/nextEdit`. Scored against the file after the
second hunk:

- next hunk inside the window the model may rewrite: exact match (the predicted file is the
  file after the second hunk), and edit similarity of the window's text;
- next hunk outside it: right when genls offers nothing, or a jump onto the next hunk;
- reversals: suggestions that take back part of the first hunk;
- latency from the last edit to the answer, p50/p95.

Baselines in the same run: offering nothing, and the plain FIM ghost text at the cursor (the
same server with next edits off). Prompt-lookup decoding is measured directly on the model:
the same prompts decoded with and without drafts. Nothing here passes or fails.
"""

from __future__ import annotations

import asyncio
import difflib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from bench.completion import BenchClient, percentiles
from bench.edit_pairs import EditPair, select_pairs
from bench.machine import report_header
from bench.replay import work_tree_and_commit
from genls.assist.edit_history import EditEvent
from genls.assist.next_edit import NextEditRequest, model_prompt
from genls.assist.next_edit_prompt import STOPS, edit_window
from genls.config import Settings
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource
from genls.llm.backend import GenerationRequest
from genls.llm.factory import create_next_edit_backend
from genls.server.convert import offset_at

DEFAULT_SEED = 20261202
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


@dataclass
class Scored:
    exact: bool
    similarity: float
    reversal: bool
    offered: bool
    right_outside: bool  # next hunk outside the window: nothing offered, or a jump onto it


@dataclass
class CaseResult:
    pair: EditPair
    inside: bool
    seconds: float
    source: str | None
    genls: Scored
    nothing: Scored
    fim: Scored
    fim_seconds: float
    attempt: dict[str, Any] | None  # the server's account of it (genls.status)


async def _ask_next_edit(client: BenchClient, uri: str, line: int, character: int):
    started = time.perf_counter()
    result = await client.client.protocol.send_request_async(
        "genls/nextEdit",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )
    return time.perf_counter() - started, result


def _set_next_edit(client: BenchClient, on: bool) -> None:
    settings = client.settings.as_camel_dict() | {"prewarm": False, "nextEdit": on}
    client.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"genls": settings})
    )


def _apply(text: str, result: Any) -> str:
    start = offset_at(text, result.range.start, "utf-16")
    end = offset_at(text, result.range.end, "utf-16")
    return text[:start] + result.newText + text[end:]


def score(pair: EditPair, inside: bool, window_lines: tuple[int, int], predicted: str) -> Scored:
    """`predicted`: the whole file after the suggestion (the middle text when none)."""
    middle, after = pair.middle, pair.after
    first, last = window_lines
    offered = predicted != middle

    def window_of(text: str) -> str:
        lines = text.splitlines(keepends=True)
        extra = len(lines) - len(middle.splitlines(keepends=True))
        return "".join(lines[first : last + 1 + extra])

    similarity = difflib.SequenceMatcher(
        None, window_of(predicted), window_of(after), autojunk=False
    ).ratio()
    touched = pair.second_lines_in_middle()
    right_outside = not inside and (not offered or _touches(middle, predicted, touched))
    return Scored(
        exact=predicted == after,
        similarity=round(similarity, 4),
        reversal=_takes_back(pair, window_of(middle), window_of(predicted)),
        offered=offered,
        right_outside=right_outside,
    )


def _touches(middle: str, predicted: str, lines: tuple[int, int]) -> bool:
    """Whether the suggestion changed the lines of the next hunk (a jump onto it)."""
    old, new = middle.splitlines(), predicted.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    first, last = lines
    return any(
        tag != "equal" and i1 <= last and i2 >= first for tag, i1, i2, _, _ in matcher.get_opcodes()
    )


def _takes_back(pair: EditPair, middle_window: str, predicted_window: str) -> bool:
    """A line the first hunk removed comes back, or a line it added goes away (a line that
    only grows, as ghost text at its end makes it, has not gone)."""
    removed = {line.strip() for line in pair.first.removed if line.strip()}
    added = {line.strip() for line in pair.first.added if line.strip()}
    before = {line.strip() for line in middle_window.splitlines()}
    now = [line.strip() for line in predicted_window.splitlines()]
    came_back = (removed & set(now)) - before
    gone = {line for line in added & before if not any(n.startswith(line) for n in now)}
    return bool(came_back or gone)


async def run_case(
    client: BenchClient, root: Path, number: int, pair: EditPair, window_size: int
) -> CaseResult:
    uri = (root / f"case{number}" / pair.path).as_uri()
    language = language_for(None, pair.path).id
    client.open(uri, pair.before, language)
    start_line, end_line = pair.first_range_in_before()
    client.replace_lines(uri, start_line, end_line, pair.first_text())
    cursor = pair.cursor_in_middle()
    cursor_line = pair.middle.count("\n", 0, cursor)
    cursor_character = cursor - (pair.middle.rfind("\n", 0, cursor) + 1)
    window = edit_window(pair.middle, cursor, window_size, window_size)
    first = window.first_line
    last = first + window.text.count("\n") - (0 if not window.text.endswith("\n") else 1)
    low, high = pair.second_lines_in_middle()
    inside = (window.at_file_start or first < low) and (window.at_file_end or high < last)

    seconds, result = await _ask_next_edit(client, uri, cursor_line, cursor_character)
    attempts = (await client.status())["recentNextEdits"]
    attempt = attempts[-1] if attempts else None
    predicted = _apply(pair.middle, result) if result is not None and result.uri == uri else None
    genls = score(pair, inside, (first, last), predicted or pair.middle)
    nothing = score(pair, inside, (first, last), pair.middle)

    _set_next_edit(client, False)
    fim_seconds, item = await client.inline_item(uri, cursor_line, cursor_character)
    _set_next_edit(client, True)
    text = "" if item is None else item.insert_text
    text = text if isinstance(text, str) else text.value
    fim = score(pair, inside, (first, last), pair.middle[:cursor] + text + pair.middle[cursor:])
    client.close(uri)
    return CaseResult(
        pair,
        inside,
        seconds,
        None if result is None else result.source,
        genls,
        nothing,
        fim,
        fim_seconds,
        attempt,
    )


def _side(results: list[CaseResult], pick) -> dict[str, Any]:
    inside = [pick(r) for r in results if r.inside]
    outside = [pick(r) for r in results if not r.inside]
    scored = [pick(r) for r in results]
    return {
        "exact_inside": _share(sum(s.exact for s in inside), len(inside)),
        "similarity_inside": round(sum(s.similarity for s in inside) / len(inside), 4)
        if inside
        else None,
        "right_outside": _share(sum(s.right_outside for s in outside), len(outside)),
        "offered": _share(sum(s.offered for s in scored), len(scored)),
        "reversals": _share(sum(s.reversal for s in scored), len(scored)),
    }


def _share(part: int, whole: int) -> dict[str, Any]:
    return {"count": part, "of": whole, "share": round(part / whole, 4) if whole else None}


async def _run_server(settings: Settings, pairs: list[EditPair]) -> list[CaseResult]:
    client = BenchClient(settings)
    with tempfile.TemporaryDirectory(prefix="genls-next-edit-") as folder:
        root = Path(folder)
        await client.start(root.as_uri(), prewarm=False)
        await client.wait_until_ready()
        results = []
        try:
            for number, pair in enumerate(pairs, start=1):
                result = await run_case(client, root, number, pair, settings.next_edit.lines)
                results.append(result)
                outcome = (
                    "exact" if result.genls.exact else "offered" if result.genls.offered else "-"
                )
                print(
                    f"  case {number}/{len(pairs)} {pair.path}: "
                    f"{'inside' if result.inside else 'outside'}, genls {outcome}"
                    f" in {result.seconds:.2f}s",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            await client.stop()
    return results


def lookup_speed(settings: Settings, pairs: list[EditPair]) -> dict[str, Any]:
    """Decoding the same next-edit prompts with prompt-lookup drafts and without."""
    backend = create_next_edit_backend(settings)
    timings = {"plain": [0.0, 0], "lookup": [0.0, 0]}
    same = 0
    try:
        for pair in pairs:
            cursor = pair.cursor_in_middle()
            lines = settings.next_edit.lines
            window = edit_window(pair.middle, cursor, lines, lines)
            source = ParsedSource(pair.middle, language_for(None, pair.path))
            asked = NextEditRequest(
                "", pair.path, source, cursor, None, (EditEvent(pair.before, pair.middle),)
            )
            prompt, _ = model_prompt(asked, window, [], backend.count_tokens)
            answers = []
            for side, draft in (("plain", None), ("lookup", window.text)):
                request = GenerationRequest(
                    prompt,
                    backend.count_tokens(window.text) + 48,
                    0.0,
                    STOPS,
                    draft_source=draft,
                )
                answers.append("".join(backend.generate(request, lambda: False)))
                stats = backend.last_stats
                timings[side][0] += stats.decode_seconds
                timings[side][1] += stats.generated_tokens
            same += answers[0] == answers[1]
    finally:
        backend.close()
    plain, lookup = (t[1] / t[0] if t[0] else None for t in timings.values())
    return {
        "prompts": len(pairs),
        "plain_tokens_per_second": round(plain, 1) if plain else None,
        "lookup_tokens_per_second": round(lookup, 1) if lookup else None,
        "speedup": round(lookup / plain, 2) if plain and lookup else None,
        "same_answer": same,
    }


def run_next_edit_bench(
    settings: Settings, repo: Path, since: str, until: str, count: int, seed: int
) -> dict[str, Any]:
    repo, until_commit = work_tree_and_commit(repo, until)
    pairs = select_pairs(repo, since, until_commit, count, seed)
    # The model path is what is measured: with no next-edit model set, the bundled 1.5B.
    model = settings.next_edit.model or DEFAULT_MODEL
    settings = settings.merged({"index": False, "nextEdit": True, "nextEditModel": model})
    report: dict[str, Any] = report_header("next-edit")
    report |= {
        "model": settings.next_edit.model,
        "threads": settings.runtime.threads,
        "window_lines": settings.next_edit.lines,
        "repository": repo.name,
        "since": since,
        "until": until_commit,
        "seed": seed,
        "cases": [pair.as_json() for pair in pairs],
    }
    results = asyncio.run(_run_server(settings, pairs))
    seconds = [r.seconds for r in results]
    report["genls"] = _side(results, lambda r: r.genls) | {
        "latency_seconds": percentiles(seconds),
        "by_source": {
            source: sum(r.source == source for r in results) for source in ("rename", "model")
        },
    }
    report["nothing"] = _side(results, lambda r: r.nothing)
    report["fim"] = _side(results, lambda r: r.fim) | {
        "latency_seconds": percentiles([r.fim_seconds for r in results])
    }
    report["per_case"] = [
        {
            "path": r.pair.path,
            "commit": r.pair.commit[:12],
            "inside": r.inside,
            "seconds": round(r.seconds, 3),
            "source": r.source,
            "exact": r.genls.exact,
            "similarity": r.genls.similarity,
            "similarity_nothing": r.nothing.similarity,
            "reversal": r.genls.reversal,
            "attempt": r.attempt,
        }
        for r in results
    ]
    inside = [r.pair for r in results if r.inside]
    report["prompt_lookup"] = lookup_speed(settings, inside[:6])
    return report
