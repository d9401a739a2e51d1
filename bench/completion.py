"""Completion latency as users feel it: the real server over stdio, real files, one JSON report.

For each prompt budget (context size) and each completion point in real source files (from
Python's standard library, fixed by a seed), the benchmark
1. opens the file with the rest of the cursor's line removed (the user is writing that line),
2. asks for an inline completion: cold (nothing cached),
3. types the line's next real characters one at a time, asking after each: warm, "typed one more
   character" (answered by the suggestion cache when the character matches, else by the model
   with its KV cache),
4. repeats the last request unchanged: identical,
5. sends the same prompt through raw llama-cpp-python in this process, cold, for the same number
   of tokens: the server's overhead is the ratio of the two, measured in the same run.
Peak RSS is the server's high-water mark (VmHWM). Nothing here passes or fails.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import sysconfig
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from bench.machine import report_header
from genls import __version__
from genls.assist.prompt import build_prompt
from genls.config import Settings
from genls.index.languages import language_for
from genls.llm.factory import context_window
from genls.llm.fim import FimFormat, detect_format, resolve_format
from genls.llm.registry import ModelStore

# Real, stable code: modules of the running Python's standard library.
STDLIB_FILES = (
    "argparse.py",
    "dataclasses.py",
    "textwrap.py",
    "shutil.py",
    "csv.py",
    "functools.py",
    "json/decoder.py",
    "logging/__init__.py",
    "configparser.py",
    "difflib.py",
)
SEED = 20261128
TYPED_CHARACTERS = 3


@dataclass
class Point:
    path: Path
    text: str  # the file with the rest of the cursor's line removed
    offset: int
    line: int
    character: int
    next_characters: str  # what the user types next (from the real file)


def completion_points(count: int) -> list[Point]:
    """Cursor positions inside indented code lines, a few characters into the line."""
    rng = random.Random(SEED)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    points: list[Point] = []
    files = [stdlib / name for name in STDLIB_FILES]
    while len(points) < count:
        path = files[len(points) % len(files)]
        lines = path.read_text(encoding="utf-8").split("\n")
        candidates = [
            i
            for i, line in enumerate(lines)
            if line.startswith("    ")
            and len(line.strip()) > 20
            and not line.strip().startswith(("#", '"', "'"))
            and 100 < i < len(lines) - 50
        ]
        index = rng.choice(candidates)
        line = lines[index]
        indent = len(line) - len(line.lstrip())
        column = indent + rng.randint(3, min(12, len(line.strip()) - TYPED_CHARACTERS - 1))
        before = "\n".join([*lines[:index], line[:column]])
        after = "\n".join(["", *lines[index + 1 :]])
        points.append(
            Point(
                path,
                before + after,
                len(before),
                index,
                column,
                line[column : column + TYPED_CHARACTERS],
            )
        )
    return points


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 4), "p95": round(p95, 4), "n": len(values)}


class BenchClient:
    """One genls server process and the requests the benchmark sends it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = LanguageClient("genls-bench", __version__)
        # The server's log arrives as window/logMessage; the bench reads genls.status instead.
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)
        self.version = 1

    async def start(self, root_uri: str | None = None, prewarm: bool = False) -> None:
        """Without a root there is no workspace, so no index."""
        await self.client.start_io(sys.executable, "-m", "genls", "serve", "--log-level", "warning")
        options = self.settings.as_camel_dict() | {"prewarm": prewarm}
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root_uri,
                initialization_options=options,
            )
        )
        self.client.initialized(types.InitializedParams())

    @property
    def pid(self) -> int:
        return self.client._server.pid  # the subprocess pygls started

    def open(self, uri: str, text: str, language_id: str = "python") -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=1, text=text
                )
            )
        )

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def change(self, uri: str, text: str) -> None:
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def insert(self, uri: str, line: int, character: int, text: str) -> None:
        """An incremental change, as editors send while typing."""
        at = types.Position(line=line, character=character)
        self._change(uri, types.Range(start=at, end=at), text)

    def replace_lines(self, uri: str, start_line: int, end_line: int, text: str) -> None:
        """Lines [start_line, end_line) replaced by `text`, in one incremental change."""
        start = types.Position(line=start_line, character=0)
        self._change(
            uri, types.Range(start=start, end=types.Position(line=end_line, character=0)), text
        )

    def _change(self, uri: str, edit_range: types.Range, text: str) -> None:
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=edit_range, text=text)
                ],
            )
        )

    def move_cursor(self, uri: str, line: int, character: int) -> None:
        """The cursor came to rest here (genls's editor clients send this)."""
        params = types.TextDocumentPositionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
        self.client.protocol.notify("genls/didMoveCursor", params)

    async def inline_item(
        self, uri: str, line: int, character: int
    ) -> tuple[float, types.InlineCompletionItem | None]:
        started = time.perf_counter()
        result = await self.client.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        )
        seconds = time.perf_counter() - started
        items = result.items if isinstance(result, types.InlineCompletionList) else result
        return seconds, (items[0] if items else None)

    async def inline(self, uri: str, line: int, character: int) -> tuple[float, str]:
        seconds, item = await self.inline_item(uri, line, character)
        text = item.insert_text if item is not None else ""
        return seconds, text if isinstance(text, str) else text.value

    async def status(self) -> dict[str, Any]:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.status")
        )

    async def last_generation(self) -> dict[str, Any]:
        return (await self.status())["recentGenerations"][-1]

    async def wait_until_ready(self) -> None:
        """Until the model is loaded and the first index written (polled: a bench, not a test)."""
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            status = await self.status()
            index = status["index"]
            if status["model"] and (index is None or (index["ready"] and not index["indexing"])):
                return
            await asyncio.sleep(0.25)
        raise TimeoutError("the server was not ready after an hour (model or index)")

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return psutil.Process(self.pid).memory_info().rss / 2**20

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def bench_context(
    settings: Settings, points: list[Point], raw_llm, fim: FimFormat | None
) -> dict[str, Any]:
    client = BenchClient(settings)
    await client.start()
    # Page the model in for both sides first, so neither pays that inside a measurement.
    warmup = "def warm_up(x):\n    return x +"
    client.open("file:///bench/warmup.py", warmup)
    await client.inline("file:///bench/warmup.py", 1, len("    return x +"))
    raw_llm.create_completion(warmup, max_tokens=4, temperature=0.0)
    cold, cold_first_token, warm, warm_model, warm_cache, identical = [], [], [], [], [], []
    decode_rates, raw_cold, overhead = [], [], []
    cache_hits = 0
    for number, point in enumerate(points):
        uri = f"file:///bench/{number}/{point.path.name}"
        client.open(uri, point.text)
        seconds, suggestion = await client.inline(uri, point.line, point.character)
        record = await client.last_generation()
        cold.append(seconds)
        cold_first_token.append(record["prefill_seconds"])
        if record["decode_seconds"] and record["generated_tokens"] > 1:
            decode_rates.append((record["generated_tokens"] - 1) / record["decode_seconds"])

        # The same prompt, cold, through raw llama-cpp-python, for as many tokens.
        raw = raw_cold_seconds(raw_llm, settings, fim, point, record["generated_tokens"])
        raw_cold.append(raw)
        overhead.append(seconds / raw)

        text, offset, character = point.text, point.offset, point.character
        for typed in point.next_characters:
            matched = suggestion.startswith(typed)
            text = text[:offset] + typed + text[offset:]
            offset, character = offset + 1, character + 1
            client.change(uri, text)
            seconds, suggestion = await client.inline(uri, point.line, character)
            warm.append(seconds)
            (warm_cache if matched and suggestion else warm_model).append(seconds)
            cache_hits += matched and bool(suggestion)
        seconds, _ = await client.inline(uri, point.line, character)
        identical.append(seconds)
        print(
            f"  point {number + 1}/{len(points)}: cold {cold[-1]:.2f}s, raw {raw:.2f}s",
            file=sys.stderr,
            flush=True,
        )

    peak = client.peak_rss_mb()
    await client.stop()
    return {
        "cold_first_token_seconds": percentiles(cold_first_token),
        "cold_full_seconds": percentiles(cold),
        "warm_typed_one_more_character_seconds": percentiles(warm),
        "warm_typed_answered_by_model_seconds": percentiles(warm_model),
        "warm_typed_answered_by_cache_seconds": percentiles(warm_cache),
        "typed_character_matched_suggestion_rate": round(cache_hits / max(len(warm), 1), 3),
        "identical_request_seconds": percentiles(identical),
        "decode_tokens_per_second": round(statistics.median(decode_rates), 1)
        if decode_rates
        else None,
        "raw_llama_cpp_cold_seconds": percentiles(raw_cold),
        "server_overhead_ratio_p50": round(statistics.median(overhead), 3),
        "server_peak_rss_mb": round(peak, 1),
    }


def raw_cold_seconds(llm, settings: Settings, fim, point: Point, tokens: int) -> float:
    """Time raw llama-cpp-python on the prompt genls builds, from an empty cache."""
    prompt = build_prompt(
        text=point.text,
        offset=point.offset,
        path=str(point.path),
        comment=language_for("python", str(point.path)).line_comment,
        fim=fim,
        count_tokens=lambda t: len(llm.tokenize(t.encode(), add_bos=False)),
        context_tokens=settings.completion.context_tokens,
        suffix_tokens=settings.completion.suffix_tokens,
    ).text.rstrip(" \t")
    llm.reset()
    llm._ctx.kv_cache_clear()
    started = time.perf_counter()
    llm.create_completion(prompt, max_tokens=max(tokens, 1), temperature=0.0)
    return time.perf_counter() - started


def _is_single_token(llm, text: str) -> bool:
    return len(llm.tokenize(text.encode(), add_bos=False, special=True)) == 1


def run_completion_bench(
    settings: Settings, contexts: list[int], count: int, cross_file_points: int
) -> dict[str, Any]:
    import llama_cpp

    from bench.cross_file import run_cross_file_comparison

    points = completion_points(count)
    path = ModelStore().path_for(settings.completion.model)
    report: dict[str, Any] = report_header("completion")
    report["machine"]["llama_cpp_system"] = llama_cpp.llama_print_system_info().decode().strip()
    report |= {
        "model": settings.completion.model,
        "threads": settings.runtime.threads,
        "points_per_context": count,
        "files": sorted({str(p.path) for p in points}),
        "contexts": {},
    }
    for context_tokens in contexts:
        print(f"context {context_tokens} tokens", file=sys.stderr, flush=True)
        ctx_settings = settings.merged({"context_tokens": context_tokens})
        raw_llm = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=context_window(ctx_settings),
            n_batch=512,
            n_threads=settings.runtime.threads,
            n_threads_batch=settings.runtime.threads,
            verbose=False,
        )
        detected = detect_format(partial(_is_single_token, raw_llm))
        fim = resolve_format(settings.completion.fim_format, detected)
        result = asyncio.run(bench_context(ctx_settings, points, raw_llm, fim))
        raw_llm.close()
        report["contexts"][str(context_tokens)] = result
    if cross_file_points:
        report["cross_file"] = run_cross_file_comparison(settings, cross_file_points)
    return report
