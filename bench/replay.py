"""Completion as a person feels it: real commits typed again, keystroke by keystroke.

For each hunk (bench.hunks) the workspace is a git worktree of the commit's parent, indexed
before timing starts. The real server (`genls serve` over stdio, with its default behaviour:
prewarming, speculation after an accept) opens the file as it was; the cursor comes to rest at
the end of the line above the hunk (reported with `genls/didMoveCursor` as genls's editor
clients do), the person pauses (`think_seconds`), and the client (bench.typist) types the hunk
one character per `didChange` and asks `textDocument/inlineCompletion` at the opened line and
after every keystroke, taking a suggestion only when it is exactly right (and
running its command, as editors do). The same hunks are then typed against raw
llama-cpp-python with a plain PSM prompt (768 prefix + 256 suffix tokens, one line, the
library's own prefix reuse and nothing else): the baseline, measured in the same run.

Reported per side: characters saved (spared keystrokes / keystrokes), acceptance (taken /
shown), the share of requests that showed a suggestion, latency p50/p95 over every request,
at arrival (the first request at a hunk) and continuing (the rest; genls's split by where
the answer came from: the model, the cache of a shown suggestion, a speculation). Peak RSS is
the server's high-water mark. Nothing here passes or fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types

from bench.completion import BenchClient, percentiles
from bench.hunks import Hunk, file_at, select_hunks
from bench.machine import report_header
from bench.typist import Edit, Typist, lsp_position, taken_part
from genls.config import Settings
from genls.errors import GenlsError
from genls.index.languages import language_for
from genls.llm.fim import detect_format
from genls.llm.registry import ModelStore, calibrated_min_token_probability

# After the bundled models' release (Qwen2.5-Coder: November 2024): code they cannot have seen.
DEFAULT_SINCE = "2025-01-01"
DEFAULT_SEED = 20261201
# Between putting the cursor somewhere and typing there, people pause: the keystroke-level
# model's mental preparation (Card, Moran and Newell) is 1.35 s.
DEFAULT_THINK_SECONDS = 1.35
# genls's editor clients report the cursor once it has rested this long (cursorReporter.ts,
# cursor.lua): that much of the pause is gone before the server hears of it.
CLIENT_CURSOR_REST_SECONDS = 0.25
RAW_PREFIX_TOKENS = 768
RAW_SUFFIX_TOKENS = 256
_CHARS_PER_TOKEN_CEILING = 8


@dataclass(frozen=True)
class Response:
    text: str
    seconds: float
    source: str  # "model", "cache", "speculation"


@dataclass
class Request:
    seconds: float
    source: str
    arrival: bool
    shown: bool
    taken: bool
    spared: int  # keystrokes the taken part spared


@dataclass
class HunkResult:
    hunk: Hunk
    keystrokes: int
    spared: int
    requests: list[Request] = field(default_factory=list)
    # What the model call at arrival cost (genls's recentGenerations entry), where known.
    arrival_generation: dict[str, Any] | None = None


Ask = Callable[[Typist], Awaitable[Response]]
Edited = Callable[[Typist, Edit, bool], Awaitable[None]]


async def type_hunk(hunk: Hunk, typist: Typist, ask: Ask, edited: Edited) -> HunkResult:
    """Ask at the opened line and after every keystroke; take what is exactly right."""
    result = HunkResult(hunk, typist.keystrokes, 0)
    while not typist.done:
        response = await ask(typist)
        part = taken_part(response.text, typist.rest)
        spared_before = typist.spared
        edit = typist.take(part) if part else typist.press_key()
        result.requests.append(
            Request(
                response.seconds,
                response.source,
                arrival=not result.requests,
                shown=bool(response.text.strip()),
                taken=bool(part),
                spared=typist.spared - spared_before,
            )
        )
        await edited(typist, edit, bool(part))
    result.spared = typist.spared
    return result


def typist_for(repo: Path, hunk: Hunk) -> Typist:
    text = file_at(repo, hunk.parent, hunk.path)
    assert text is not None  # select_hunks keeps only typeable files
    cut = 0
    for _ in range(hunk.line):  # just after the hunk.line-th newline
        cut = text.index("\n", cut) + 1
    return Typist(text[:cut], hunk.lines, text[cut:])


# -- genls over LSP ---------------------------------------------------------------------------


class GenlsTypingSession:
    """One server on one worktree: the file opened, the typing sent as an editor sends it."""

    def __init__(self, client: BenchClient, uri: str) -> None:
        self.client = client
        self.uri = uri
        self._item: types.InlineCompletionItem | None = None
        self._commands: set[asyncio.Future] = set()
        self.arrival_generation: dict[str, Any] | None = None

    async def ask(self, typist: Typist) -> Response:
        line, character = typist.cursor()
        seconds, item = await self.client.inline_item(self.uri, line, character)
        self._item = item
        status = await self.client.status()
        answer = status["lastCompletion"] or {"source": "model"}
        if self.arrival_generation is None and status["recentGenerations"]:
            self.arrival_generation = status["recentGenerations"][-1]
        text = _insert_text(item) if item is not None else ""
        return Response(text, seconds, answer["source"])

    async def settle(self) -> None:
        """Wait for the accept commands still running (their speculation), before stopping."""
        await asyncio.gather(*self._commands, return_exceptions=True)

    async def edited(self, typist: Typist, edit: Edit, taken: bool) -> None:
        line, character = lsp_position(typist.before + typist.target, edit.offset)
        self.client.insert(self.uri, line, character, edit.text)
        item = self._item
        whole = item is not None and edit.text.startswith(_insert_text(item))
        if taken and whole and item.command is not None:
            # As VS Code does on a full accept: the command goes out before the next request
            # (sent now, not awaited: the next request does not wait for it).
            params = types.ExecuteCommandParams(item.command.command, item.command.arguments)
            sent = self.client.client.protocol.send_request("workspace/executeCommand", params)
            self._commands.add(asyncio.wrap_future(sent))


def _insert_text(item: types.InlineCompletionItem) -> str:
    text = item.insert_text
    return text if isinstance(text, str) else text.value


async def replay_with_genls(
    settings: Settings, repo: Path, hunk: Hunk, worktree: Path, think_seconds: float
) -> tuple[HunkResult, float]:
    """(result, the server's peak RSS in MB)."""
    # Ghost text only: a next edit replaces text instead of extending the line, and it waits
    # for a pause in the typing that this client (which awaits every answer before the next
    # keystroke) would turn into a wait at every keystroke. `genls bench next-edit` measures it.
    client = BenchClient(settings.merged({"nextEdit": False}))
    await client.start(worktree.as_uri(), prewarm=settings.completion.prewarm)
    try:
        await client.wait_until_ready()
        typist = typist_for(repo, hunk)
        path = worktree / hunk.path
        uri = path.as_uri()
        client.open(uri, typist.before + typist.after, language_for(None, hunk.path).id)
        session = GenlsTypingSession(client, uri)
        # The person puts the cursor at the end of the line above (the editor tells the server
        # where it came to rest), pauses, then opens the hunk's first line; the editor indents.
        line, character = lsp_position(typist.before, max(len(typist.before) - 1, 0))
        reported_after = min(CLIENT_CURSOR_REST_SECONDS, think_seconds)
        await asyncio.sleep(reported_after)
        client.move_cursor(uri, line, character)
        await asyncio.sleep(think_seconds - reported_after)
        opened = Edit(len(typist.before), typist.target[: typist.position] + "\n")
        line, character = lsp_position(typist.before, len(typist.before))
        client.insert(uri, line, character, opened.text)
        result = await type_hunk(hunk, typist, session.ask, session.edited)
        result.arrival_generation = session.arrival_generation
        await session.settle()
        return result, client.peak_rss_mb()
    finally:
        await client.stop()


# -- the raw baseline -------------------------------------------------------------------------


class RawLlama:
    """llama-cpp-python as a plain FIM script would use it: one line, no cache tricks.

    PSM in the model's own FIM format (prefix only for a model without one), no file name, no
    cross-file context, no post-processing.
    """

    def __init__(self, model_path: Path, threads: int) -> None:
        import llama_cpp

        self.llm = llama_cpp.Llama(
            model_path=str(model_path),
            n_ctx=2048,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        self.fim = detect_format(self._is_single_token)
        self._bos = self.llm.tokenize(b"", add_bos=True, special=True)

    def _is_single_token(self, text: str) -> bool:
        return len(self.llm.tokenize(text.encode(), add_bos=False, special=True)) == 1

    def _tokens(self, text: str, special: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def prompt(self, text: str, offset: int) -> list[int]:
        window = RAW_PREFIX_TOKENS * _CHARS_PER_TOKEN_CEILING
        prefix = self._tokens(text[max(0, offset - window) : offset])[-RAW_PREFIX_TOKENS:]
        if self.fim is None:
            return [*self._bos, *prefix]
        suffix = self._tokens(text[offset : offset + window])[:RAW_SUFFIX_TOKENS]
        marker = partial(self._tokens, special=True)
        return [
            *self._bos,
            *marker(self.fim.prefix),
            *prefix,
            *marker(self.fim.suffix),
            *suffix,
            *marker(self.fim.middle),
        ]

    async def ask(self, typist: Typist) -> Response:
        prompt = self.prompt(typist.document(), typist.offset)
        started = time.perf_counter()
        out = self.llm.create_completion(prompt, max_tokens=64, temperature=0.0, stop=["\n"])
        return Response(out["choices"][0]["text"], time.perf_counter() - started, "model")

    async def edited(self, typist: Typist, edit: Edit, taken: bool) -> None:
        return None

    def close(self) -> None:
        self.llm.close()


# -- worktrees --------------------------------------------------------------------------------


@contextlib.contextmanager
def worktrees(repo: Path) -> Iterator[Callable[[str], Path]]:
    """Make detached worktrees of commits; each new one starts from the last one's index."""
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-replay-"))
    made: list[Path] = []

    def make(commit: str) -> Path:
        path = scratch / f"{len(made):03d}-{commit[:10]}"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(path), commit],
            cwd=repo,
            check=True,
            capture_output=True,
        )
        if made and (made[-1] / ".genls").is_dir():  # indexing is incremental by content hash
            shutil.copytree(made[-1] / ".genls", path / ".genls")
        made.append(path)
        return path

    try:
        yield make
    finally:
        for path in made:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=repo, capture_output=True
            )
        subprocess.run(["git", "worktree", "prune"], cwd=repo, capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


# -- the report -------------------------------------------------------------------------------


def side_report(results: list[HunkResult]) -> dict[str, Any]:
    requests = [r for result in results for r in result.requests]
    keystrokes = sum(r.keystrokes for r in results)
    spared = sum(r.spared for r in results)
    shown = [r for r in requests if r.shown]
    taken = [r for r in requests if r.taken]
    continuing = [r for r in requests if not r.arrival]
    by_source = {
        source: percentiles([r.seconds for r in continuing if r.source == source])
        for source in sorted({r.source for r in continuing})
    }
    return {
        "keystrokes": keystrokes,
        "keystrokes_spared": spared,
        "characters_saved": round(spared / max(keystrokes, 1), 3),
        "requests": len(requests),
        "suggestions_shown": len(shown),
        "suggestions_taken": len(taken),
        "acceptance": round(len(taken) / max(len(shown), 1), 3),
        "requests_showing_a_suggestion": round(len(shown) / max(len(requests), 1), 3),
        "latency_seconds": {
            "all": percentiles([r.seconds for r in requests]),
            "arrival": percentiles([r.seconds for r in requests if r.arrival]),
            "continuing": percentiles([r.seconds for r in continuing]),
            "continuing_by_source": by_source,
        },
        "per_hunk": [
            {
                **result.hunk.as_json(),
                "spared": result.spared,
                "shown": sum(r.shown for r in result.requests),
                "taken": sum(r.taken for r in result.requests),
                "arrival_seconds": round(result.requests[0].seconds, 3)
                if result.requests
                else None,
                **(
                    {"arrival_generation": _generation_summary(result.arrival_generation)}
                    if result.arrival_generation
                    else {}
                ),
            }
            for result in results
        ],
    }


_GENERATION_KEYS = (
    "prompt_tokens",
    "reused_tokens",
    "generated_tokens",
    "prefill_seconds",
    "decode_seconds",
)


def _generation_summary(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in _GENERATION_KEYS if key in record}


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def work_tree_and_commit(path: Path, until: str) -> tuple[Path, str]:
    """The repository's work tree root and the full commit `until` names, or a clear error."""

    def git(*args: str) -> str:
        found = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True)
        if found.returncode != 0:
            raise GenlsError(f"{path}: git {' '.join(args)} failed: {found.stderr.strip()}")
        return found.stdout.strip()

    if not path.is_dir():
        raise GenlsError(f"{path} is not a folder: --repo takes a git work tree")
    if git("rev-parse", "--is-bare-repository") == "true":
        raise GenlsError(f"{path} is a bare repository: clone it and pass the clone as --repo")
    return Path(git("rev-parse", "--show-toplevel")), git("rev-parse", "--verify", until)


def run_replay_bench(
    settings: Settings,
    repo: Path,
    since: str,
    until: str,
    count: int,
    seed: int,
    raw: bool = True,
    think_seconds: float = DEFAULT_THINK_SECONDS,
) -> dict[str, Any]:
    repo, until_commit = work_tree_and_commit(repo, until)
    hunks = select_hunks(repo, since, until_commit, count, seed)
    report: dict[str, Any] = report_header("replay")
    report |= {
        "model": settings.completion.model,
        "threads": settings.runtime.threads,
        "context_tokens": settings.completion.context_tokens,
        "min_token_probability": settings.completion.min_token_probability
        if settings.completion.min_token_probability is not None
        else calibrated_min_token_probability(settings.completion.model),
        "repository": repo.name,
        "since": since,
        "until": until_commit,
        "seed": seed,
        "think_seconds": think_seconds,
        "hunks": [h.as_json() for h in hunks],
    }
    genls_results: list[HunkResult] = []
    raw_results: list[HunkResult] = []
    peak = 0.0
    baseline = (
        RawLlama(ModelStore().path_for(settings.completion.model), settings.runtime.threads)
        if raw
        else None
    )
    try:
        with worktrees(repo) as make_worktree:
            for number, hunk in enumerate(hunks, start=1):
                worktree = make_worktree(hunk.parent)
                result, rss = asyncio.run(
                    replay_with_genls(settings, repo, hunk, worktree, think_seconds)
                )
                genls_results.append(result)
                peak = max(peak, rss)
                line = f"  hunk {number}/{len(hunks)} {hunk.path}:{hunk.line + 1}: genls spared"
                line += f" {result.spared}/{result.keystrokes}"
                if baseline is not None:
                    typist = typist_for(repo, hunk)
                    raw_result = asyncio.run(type_hunk(hunk, typist, baseline.ask, baseline.edited))
                    raw_results.append(raw_result)
                    line += f", raw {raw_result.spared}/{raw_result.keystrokes}"
                print(line, file=sys.stderr, flush=True)
    finally:
        if baseline is not None:
            baseline.close()
    report["genls"] = side_report(genls_results) | {"peak_rss_mb": round(peak, 1)}
    if baseline is not None:
        report["raw"] = side_report(raw_results)
        ours, theirs = report["genls"], report["raw"]
        report["genls_over_raw"] = {
            "characters_saved": _ratio(ours["characters_saved"], theirs["characters_saved"]),
            "acceptance": _ratio(ours["acceptance"], theirs["acceptance"]),
            "latency_p50": _ratio(
                ours["latency_seconds"]["all"]["p50"], theirs["latency_seconds"]["all"]["p50"]
            ),
            "arrival_p50": _ratio(
                ours["latency_seconds"]["arrival"]["p50"],
                theirs["latency_seconds"]["arrival"]["p50"],
            ),
        }
    return report
