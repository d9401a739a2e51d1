"""genls command line: serve, complete, docstring, refactor, index, search, diagram,
changelog, history, commit-message, image, music, sfx, doctor, bench.

Lines and columns on the command line are 1-based, as editors and compilers print them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from pygls.exceptions import JsonRpcInvalidParams

from genls import __version__
from genls.config import Settings, layered_settings, read_workspace_settings
from genls.errors import GenlsError

log = logging.getLogger("genls")


def _settings_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model settings (override .genls.toml / pyproject)")
    group.add_argument("--model", help="registry name, GGUF path, HF folder or remote model name")
    group.add_argument(
        "--instruction-model",
        dest="instruction_model",
        help="the model for docstrings, refactors and history documents (same kinds of value)",
    )
    group.add_argument(
        "--next-edit-model",
        dest="next_edit_model",
        help="the model that rewrites the lines around the cursor for next edits",
    )
    group.add_argument(
        "--next-edit-lines",
        type=int,
        dest="next_edit_lines",
        help="lines above and below the cursor a next edit may rewrite",
    )
    group.add_argument("--backend", choices=("llama.cpp", "transformers", "openai"))
    group.add_argument("--endpoint", help="OpenAI-compatible server URL (openai backend)")
    group.add_argument("--threads", type=int)
    group.add_argument("--context-tokens", type=int, dest="context_tokens")
    group.add_argument("--max-tokens", type=int, dest="max_tokens")
    group.add_argument(
        "--min-token-probability",
        type=float,
        dest="min_token_probability",
        help="a suggestion ends before the first token the model gave less (0 shows all)",
    )
    group.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), dest="log_level"
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "model",
        "instruction_model",
        "next_edit_model",
        "next_edit_lines",
        "backend",
        "endpoint",
        "threads",
        "context_tokens",
        "max_tokens",
        "min_token_probability",
        "log_level",
        "docstring_style",
        "image_model",
        "index_store",
    )
    return {name: value for name in names if (value := getattr(args, name, None)) is not None}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genls", description="A local-first AI language server.")
    parser.add_argument("--version", action="version", version=f"genls {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument(
        "--tcp",
        metavar="[HOST:]PORT",
        help="listen on TCP instead of stdio (host defaults to 127.0.0.1)",
    )
    _settings_flags(serve)

    complete = commands.add_parser("complete", help="print the completion at FILE:LINE:COL")
    complete.add_argument("location", metavar="FILE:LINE:COL")
    complete.add_argument("--json", action="store_true", help="print JSON with timings")
    _settings_flags(complete)

    doctor = commands.add_parser("doctor", help="check models, llama.cpp, threads and speed")
    doctor.add_argument(
        "--skip-speed",
        action="store_true",
        help="verify and assemble models only, do not measure speed",
    )
    doctor.add_argument("--json", action="store_true")
    _settings_flags(doctor)

    docstring = commands.add_parser(
        "docstring", help="document the function, method or class at FILE:LINE"
    )
    docstring.add_argument("location", metavar="FILE:LINE")
    docstring.add_argument(
        "--style",
        choices=("google", "numpy", "sphinx"),
        dest="docstring_style",
        help="Python docstring style (default: google, or the workspace setting)",
    )
    docstring.add_argument(
        "--write", action="store_true", help="edit the file instead of printing a unified diff"
    )
    _settings_flags(docstring)

    refactor = commands.add_parser("refactor", help="rewrite lines START-END of FILE as instructed")
    refactor.add_argument("location", metavar="FILE:START-END")
    refactor.add_argument("--instruction", required=True, help='e.g. "add type hints"')
    refactor.add_argument(
        "--write", action="store_true", help="edit the file instead of printing a unified diff"
    )
    _settings_flags(refactor)

    index = commands.add_parser("index", help="index a workspace (incremental)")
    index.add_argument("path", nargs="?", type=Path, default=Path("."))
    index.add_argument("--json", action="store_true", help="print the summary as JSON")
    index.add_argument(
        "--store",
        dest="index_store",
        metavar="URL",
        help="also store HEAD in a team's shared index (postgresql://...), for every editor",
    )
    _settings_flags(index)

    search = commands.add_parser("search", help="search the workspace index")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=10, help="how many hits")
    search.add_argument("--path", type=Path, default=Path("."), help="the workspace")
    search.add_argument("--json", action="store_true")
    search.add_argument(
        "--store", dest="index_store", metavar="URL", help="search a team's shared index too"
    )
    _settings_flags(search)

    diagram = commands.add_parser(
        "diagram", help="draw classes, a call graph or imports (Mermaid, DOT, SVG, PNG)"
    )
    diagram.add_argument("kind", choices=("classes", "calls", "imports"))
    diagram.add_argument(
        "scope",
        nargs="?",
        help="a file or folder, PATH::SYMBOL, or a symbol (calls: a function or Class.method)",
    )
    diagram.add_argument(
        "-o", "--output", type=Path, help="FILE.mmd|dot|svg|png, or a .md to add a block to"
    )
    diagram.add_argument("--depth", type=int, default=2, help="calls: how many calls up/down")
    diagram.add_argument("--max-nodes", type=int, dest="max_nodes", help="cap (diagramMaxNodes)")
    diagram.add_argument("--root", type=Path, help="the workspace (default: the project of cwd)")
    _settings_flags(diagram)

    image = commands.add_parser(
        "image", help="generate icons or sprites (RGBA PNG, sheet, upscales, provenance)"
    )
    image.add_argument("prompt", help='what to draw, e.g. "a red potion bottle"')
    image.add_argument("-n", type=int, default=1, help="how many images (1-64; a sheet if > 1)")
    image.add_argument("--seed", type=int, default=0)
    image.add_argument("--size", type=int, help="pixels (default: the model's size, 32)")
    image.add_argument("--steps", type=int, default=25, help="DDIM steps")
    image.add_argument("--guidance", type=float, default=3.0, help="classifier-free guidance")
    image.add_argument(
        "-o", "--output", type=Path, required=True, help="the PNG to write, e.g. assets/potion.png"
    )
    image.add_argument("--image-model", dest="image_model", help="icons32 or a diffusers folder")
    _settings_flags(image)

    _history_commands(commands)
    _audio_commands(commands)

    bench = commands.add_parser("bench", help="run a benchmark and print JSON")
    suites = (
        "completion",
        "replay",
        "next-edit",
        "index",
        "diagram",
        "docstring",
        "history",
        "music",
        "image",
    )
    bench.add_argument("suite", choices=suites)
    bench.add_argument(
        "--contexts", default="512,1024,2048", help="completion: prompt budgets in tokens"
    )
    bench.add_argument("--points", type=int, default=8, help="completion: points per context")
    bench.add_argument(
        "--cross-file-points",
        type=int,
        default=16,
        help="completion: points compared with and without the index (0: skip)",
    )
    bench.add_argument(
        "--files", type=int, default=1000, help="index: stdlib modules to index (at most all)"
    )
    bench.add_argument("--questions", type=int, default=300, help="index: retrieval questions")
    bench.add_argument(
        "--store",
        dest="index_store",
        metavar="URL",
        help="index: a scratch PostgreSQL database for the shared-index benchmark",
    )
    bench.add_argument(
        "--chunks", type=int, default=100_000, help="index --store: chunks searched at scale"
    )
    bench.add_argument(
        "--embedding-server",
        metavar="URL",
        help="index --store: a /v1/embeddings server to compare",
    )
    bench.add_argument(
        "--embedding-server-model", default="default", help="index --store: its model name"
    )
    bench.add_argument(
        "--packages",
        default=(
            "asyncio,collections,concurrent,ctypes,curses,dbm,distutils,email,encodings,html,"
            "http,idlelib,importlib,json,lib2to3,logging,multiprocessing,sqlite3,tkinter,"
            "tomllib,unittest,urllib,wsgiref,xml,xmlrpc,zoneinfo"
        ),
        help="diagram: standard-library packages to draw",
    )
    bench.add_argument(
        "--functions", type=int, default=20, help="docstring: functions in the sample"
    )
    bench.add_argument(
        "--models",
        default="qwen2.5-coder-0.5b,qwen2.5-coder-1.5b",
        help="docstring: instruction models to compare",
    )
    bench.add_argument(
        "--commits", type=int, default=10_000, help="history: commits in the synthetic repository"
    )
    bench.add_argument(
        "--model-sample", type=int, default=40, help="history: free-form subjects for the model"
    )
    bench.add_argument(
        "--own-repo", type=Path, default=None, help="history: this project's repository"
    )
    bench.add_argument(
        "--prompts",
        type=int,
        help="music: pieces from the prompt set (default 10); image: held-out prompts (all)",
    )
    bench.add_argument("--bars", type=int, default=16, help="music: bars per piece")
    bench.add_argument(
        "--corpus-limit", type=int, dest="corpus_limit", help="music: parse only N corpus tunes"
    )
    bench.add_argument(
        "--repo",
        type=Path,
        default=Path("."),
        help="replay, next-edit: the git repository to replay",
    )
    bench.add_argument(
        "--since",
        default=None,
        help="replay, next-edit: commits after this date (default: after the models' release)",
    )
    bench.add_argument("--until", default="HEAD", help="replay: the newest commit to replay")
    bench.add_argument("--hunks", type=int, default=12, help="replay: hunks to type again")
    bench.add_argument(
        "--cases", type=int, default=24, help="next-edit: pairs of nearby hunks to replay"
    )
    bench.add_argument("--seed", type=int, default=None, help="replay: draws the hunks")
    bench.add_argument(
        "--no-raw", action="store_true", help="replay: skip the raw llama-cpp-python baseline"
    )
    bench.add_argument(
        "--think-seconds",
        type=float,
        default=None,
        help="replay: the pause between the cursor arriving at a hunk and typing (default 1.35)",
    )
    bench.add_argument("--output", type=Path, help="also write the JSON to this file")
    _settings_flags(bench)
    return parser


def _audio_commands(commands: argparse._SubParsersAction) -> None:
    from multimodal.audio.sfx import KINDS

    sfx = commands.add_parser("sfx", help="synthesise a game sound effect (WAV)")
    sfx.add_argument("kind", choices=KINDS)
    sfx.add_argument("--seed", type=int, default=0)
    sfx.add_argument(
        "-o", "--output", type=Path, help="WAV file (default: assetFolder/KIND-SEED.wav)"
    )

    music = commands.add_parser(
        "music", help="compose a piece from a prompt: WAV + MIDI (+ stems) with the bundled model"
    )
    music.add_argument("prompt", help='e.g. "calm folk tune in D minor, 90 bpm, loopable"')
    music.add_argument("--bars", type=int)
    music.add_argument("--seed", type=int, default=0)
    music.add_argument("--stems", action="store_true", help="also melody, harmony+bass, drums")
    music.add_argument("--loop", action="store_true", default=None, help="end flows into start")
    music.add_argument("--style", help="folk, chorale, reel, jig, hornpipe or air")
    music.add_argument("--mode", choices=("major", "minor"))
    music.add_argument("--meter", help="e.g. 3/4, 6/8")
    music.add_argument("--bpm", type=int, help="quarter notes per minute")
    music.add_argument(
        "--renderer",
        choices=("auto", "builtin", "fluidsynth"),
        default="auto",
        help="auto: FluidSynth when it and a GM soundfont are installed, else the built-in synth",
    )
    music.add_argument(
        "-o", "--output", type=Path, help="WAV file (default: assetFolder/PROMPT-sSEED.wav)"
    )


def _history_commands(commands: Any) -> None:
    changelog = commands.add_parser("changelog", help="release notes from the git history")
    changelog.add_argument("--since", metavar="REF", help="leave out REF and its history")
    changelog.add_argument("--until", metavar="REF", default="HEAD", help="up to REF (HEAD)")
    changelog.add_argument("--format", choices=("md", "json"), default="md")
    changelog.add_argument(
        "--write", type=Path, metavar="FILE", help="add the new entries to FILE (CHANGELOG.md)"
    )
    changelog.add_argument(
        "--no-model", action="store_true", help="list free-form messages as they are"
    )
    changelog.add_argument("--repo", type=Path, default=Path("."), help="the repository")
    _settings_flags(changelog)

    history = commands.add_parser("history", help="the story of a file or symbol from git")
    history.add_argument("target", metavar="FILE[:SYMBOL]")
    history.add_argument("--json", action="store_true")
    history.add_argument("--no-model", action="store_true", help="the commit list only")
    _settings_flags(history)

    message = commands.add_parser("commit-message", help="a commit message for the staged diff")
    message.add_argument("--repo", type=Path, default=Path("."), help="the repository")
    _settings_flags(message)


class _ClientErrorsWithoutTraceback(logging.Filter):
    """pygls logs every error response with a traceback; for a bad request one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, JsonRpcInvalidParams):
            record.msg = f"{record.getMessage()}: {error}"
            record.args = None
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(level: str, stderr_level: str | None = None) -> None:
    """Log at `level`; stderr shows `stderr_level` and worse (default: the same)."""
    logging.basicConfig(
        stream=sys.stderr,
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.setLevel((stderr_level or level).upper())
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_ClientErrorsWithoutTraceback())
    if level != "debug":
        logging.getLogger("pygls").setLevel(logging.WARNING)
    # faiss says at INFO which CPU build it loaded, with a harmless ModuleNotFoundError.
    logging.getLogger("faiss").setLevel(logging.WARNING)


def settings_for(path: Path, args: argparse.Namespace) -> Settings:
    """Settings for a CLI run: the project's settings file, then the flags."""
    return layered_settings(read_workspace_settings(_project_root(path)), None, _overrides(args))


def _editor_reads_the_log(args: argparse.Namespace) -> bool:
    """An editor shows a server's stderr as errors: unless --log-level asks for stderr, the
    server sends its log over LSP (genls.server.client_log) and stderr keeps warnings."""
    return args.command == "serve" and getattr(args, "log_level", None) is None


def _project_root(path: Path) -> Path:
    for folder in [path, *path.parents] if path.is_dir() else path.resolve().parents:
        if any((folder / marker).exists() for marker in (".git", ".genls.toml", "pyproject.toml")):
            return folder
    return path if path.is_dir() else path.resolve().parent


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    chosen = getattr(args, "log_level", None)
    configure_logging(chosen or "info", "warning" if _editor_reads_the_log(args) else None)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "complete":
            return _complete(args)
        if args.command == "doctor":
            from genls.doctor import run_doctor

            return run_doctor(
                settings_for(Path.cwd(), args), measure_speed=not args.skip_speed, as_json=args.json
            )
        if args.command in ("docstring", "refactor"):
            return _edit_file(args)
        if args.command == "index":
            return _index(args)
        if args.command == "search":
            return _search(args)
        if args.command == "changelog":
            return _changelog(args)
        if args.command == "history":
            return _history(args)
        if args.command == "commit-message":
            return _commit_message(args)
        if args.command == "diagram":
            return _diagram(args)
        if args.command == "sfx":
            return _sfx(args)
        if args.command == "music":
            return _music(args)
        if args.command == "image":
            return _image(args)
        if args.command == "bench":
            settings = settings_for(Path.cwd(), args)
            if args.suite == "history":
                from bench.history import run_history_bench

                report = run_history_bench(settings, args.commits, args.model_sample, args.own_repo)
            elif args.suite == "docstring":
                from bench.docstring import run_docstring_bench

                models = tuple(m for m in args.models.split(",") if m)
                report = run_docstring_bench(settings, args.functions, models)
            elif args.suite == "image":
                from bench.image import run_image_bench

                report = run_image_bench(args.prompts or 0, settings.runtime.threads)
            elif args.suite == "diagram":
                from bench.diagram import run_diagram_bench

                report = run_diagram_bench(args.packages.split(","))
            elif args.suite == "music":
                from bench.audio import run_music_bench

                report = run_music_bench(args.prompts or 10, args.bars, args.corpus_limit)
            elif args.suite == "replay":
                from bench.replay import (
                    DEFAULT_SEED,
                    DEFAULT_SINCE,
                    DEFAULT_THINK_SECONDS,
                    run_replay_bench,
                )

                report = run_replay_bench(
                    settings,
                    args.repo,
                    args.since or DEFAULT_SINCE,
                    args.until,
                    args.hunks,
                    DEFAULT_SEED if args.seed is None else args.seed,
                    raw=not args.no_raw,
                    think_seconds=DEFAULT_THINK_SECONDS
                    if args.think_seconds is None
                    else args.think_seconds,
                )
            elif args.suite == "next-edit":
                from bench.next_edit import DEFAULT_SEED, run_next_edit_bench
                from bench.replay import DEFAULT_SINCE

                report = run_next_edit_bench(
                    settings,
                    args.repo,
                    args.since or DEFAULT_SINCE,
                    args.until,
                    args.cases,
                    DEFAULT_SEED if args.seed is None else args.seed,
                )
            elif args.suite == "index" and settings.index.store != "local":
                from bench.shared_index import run_shared_index_bench

                report = run_shared_index_bench(
                    settings,
                    args.files,
                    args.chunks,
                    args.embedding_server,
                    args.embedding_server_model,
                )
            elif args.suite == "index":
                from bench.index import run_index_bench

                report = run_index_bench(settings, args.files, args.questions)
            else:
                from bench.completion import run_completion_bench

                contexts = [int(c) for c in args.contexts.split(",") if c.strip()]
                report = run_completion_bench(
                    settings, contexts, args.points, args.cross_file_points
                )
            text = json.dumps(report, indent=2)
            print(text)
            if args.output:
                args.output.write_text(text + "\n")
            return 0
    except GenlsError as exc:
        print(f"genls: {exc}", file=sys.stderr)
        return 2
    return 1


def _default_asset(args: argparse.Namespace, name: str) -> Path:
    root = _project_root(Path.cwd())
    return root / Settings().merged(read_workspace_settings(root)).assets.asset_folder / name


def _sfx(args: argparse.Namespace) -> int:
    from multimodal.audio.assets import sfx_files
    from multimodal.audio.errors import OutputError
    from multimodal.audio.output import write_all

    path = args.output or _default_asset(args, f"{args.kind}-{args.seed}.wav")
    try:
        written = write_all(sfx_files(args.kind, args.seed, path, {"genls_version": __version__}))
    except OutputError as exc:
        raise GenlsError(str(exc)) from exc
    for file in written:
        print(file)
    return 0


def _music(args: argparse.Namespace) -> int:
    import re

    from tqdm import tqdm

    from multimodal.audio.errors import OutputError, PromptError, WeightsError
    from multimodal.audio.music import MusicGenerator, music_files
    from multimodal.audio.output import write_all
    from multimodal.audio.prompt import parse_prompt

    flags = {
        name: getattr(args, name)
        for name in ("bars", "seed", "loop", "style", "mode", "meter", "bpm")
    }
    try:
        request = parse_prompt(args.prompt, **flags)
        generator = MusicGenerator()
        slug = re.sub(r"[^a-z0-9]+", "-", args.prompt.lower()).strip("-")[:40] or "music"
        path = args.output or _default_asset(args, f"{slug}-s{request.seed}.wav")
        with tqdm(total=100, desc="composing", unit="%", file=sys.stderr) as bar:

            def progress(fraction: float, message: str) -> None:
                bar.n = int(100 * fraction)
                bar.set_postfix_str(message, refresh=True)

            files = music_files(
                generator, request, path, stems=args.stems,
                extra={"prompt": args.prompt, "genls_version": __version__},
                progress=progress, renderer=args.renderer,
            )  # fmt: skip
        written = write_all(files)
    except (PromptError, OutputError, WeightsError, RuntimeError) as exc:
        raise GenlsError(str(exc)) from exc
    print(
        f"{request.style} in {request.key_name}, {request.meter}, {request.bpm} bpm, "
        f"{request.bars} bars{', loop' if request.loop else ''}",
        file=sys.stderr,
    )
    for file in written:
        print(file)
    return 0


def _serve(args: argparse.Namespace) -> NoReturn:
    # Progress bars are the CLI's: in the server nobody sees them, and a tqdm bar's monitor
    # thread and lock held up the exit after the editor left (py-spy in a real VS Code).
    os.environ["TQDM_DISABLE"] = "1"
    from genls.server import create_server

    overrides = _overrides(args)
    settings = Settings().merged(overrides)  # validates the flags before anything starts
    logging.getLogger("genls").setLevel(settings.log_level.upper())
    transport = "stdio"
    host, port = "127.0.0.1", 0
    if args.tcp:
        text = args.tcp
        host, _, port_text = text.rpartition(":") if ":" in text else ("127.0.0.1", "", text)
        host = host or "127.0.0.1"
        try:
            port = int(port_text)
        except ValueError as exc:
            raise GenlsError(f"--tcp wants [HOST:]PORT, got {text!r}") from exc
        transport = f"tcp {host}:{port}"
    banner = (
        f"genls {__version__} · model {settings.completion.model} ({settings.runtime.backend}) · "
        f"{settings.runtime.threads} threads · {transport}"
    )
    if args.tcp:  # started by hand in a terminal; over stdio the editor gets the log instead
        print(banner, file=sys.stderr, flush=True)
    else:
        log.debug("%s", banner)
    server = create_server(overrides)
    server.log_to_stderr = not _editor_reads_the_log(args)
    try:
        if args.tcp:
            server.start_tcp(host, port)
        else:
            stdin, stdout = _private_stdio()
            server.start_io(stdin, stdout)
    finally:
        server.close()
    # The client has gone: exit now. A normal exit would join every worker thread, and one
    # may still be loading a model that cannot be stopped (GenlsServer.close); what genls
    # writes to disk is written atomically, so nothing is lost.
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


def _private_stdio() -> tuple[BinaryIO, BinaryIO]:
    """Move the LSP stream to file descriptors of its own.

    Native libraries write to fd 1 and 2 directly, and llama-cpp-python even points them at
    /dev/null for a while (suppress_stdout_stderr) from the model thread: a response written then
    would vanish. Afterwards fd 1 is stderr and fd 0 is /dev/null, for them and for children.
    """
    stdin = os.fdopen(os.dup(0), "rb")
    stdout = os.fdopen(os.dup(1), "wb")
    with open(os.devnull, "rb") as devnull:
        os.dup2(devnull.fileno(), 0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return stdin, stdout


def _parse_location(location: str) -> tuple[Path, int, int]:
    try:
        path_text, line_text, column_text = location.rsplit(":", 2)
        line, column = int(line_text), int(column_text)
    except ValueError as exc:
        raise GenlsError(f"expected FILE:LINE:COL (1-based), got {location!r}") from exc
    if line < 1 or column < 1:
        raise GenlsError("LINE and COL are 1-based")
    return Path(path_text), line, column


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GenlsError(f"no such file: {path}") from exc
    except UnicodeDecodeError as exc:
        raise GenlsError(f"{path} is not UTF-8 text") from exc


def _line_range(location: str) -> tuple[Path, int, int]:
    """FILE:LINE or FILE:START-END (1-based, inclusive)."""
    path_text, _, lines = location.rpartition(":")
    first, _, last = lines.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError as exc:
        raise GenlsError(f"expected FILE:LINE or FILE:START-END, got {location!r}") from exc
    if not path_text or start < 1 or end < start:
        raise GenlsError(f"expected FILE:LINE or FILE:START-END (1-based), got {location!r}")
    return Path(path_text), start, end


def _edit_file(args: argparse.Namespace) -> int:
    """`genls docstring` and `genls refactor`: a unified diff, or the file edited atomically."""
    from genls.assist.docstring import DocstringWriter
    from genls.assist.edit_check import unified_diff
    from genls.assist.refactor import Refactorer
    from genls.assist.text_edit import apply_edits
    from genls.atomic_files import write_text
    from genls.index.languages import language_for
    from genls.index.symbols import ParsedSource
    from genls.llm.instruction import InstructionModel

    path, start, end = _line_range(args.location)
    text = _read_text(path)
    if end > text.count("\n") + 1:
        raise GenlsError(f"{path} has {text.count(chr(10)) + 1} lines; line {end} is past the end")
    settings = settings_for(path, args)
    source = ParsedSource(text, language_for(None, str(path)))
    model = InstructionModel(settings)
    try:
        if args.command == "docstring":
            writer = DocstringWriter(
                model,
                python_style=settings.instruction.docstring_style,
                line_width=settings.instruction.doc_line_width,
            )
            edit = writer.document(source, start - 1, str(path)).edit
        else:
            edit = (
                Refactorer(model)
                .rewrite(source, start - 1, end - 1, args.instruction, str(path))
                .edit
            )
    finally:
        model.close()
    after = apply_edits(text, [edit])
    if args.write:
        write_text(path, after)
        print(f"genls: edited {path}", file=sys.stderr)
    else:
        print(unified_diff(str(path), text, after), end="")
    return 0


def _complete(args: argparse.Namespace) -> int:
    from genls.assist.completion import CompletionEngine, CompletionRequest
    from genls.llm.factory import create_backend

    path, line, column = _parse_location(args.location)
    text = _read_text(path)
    lines = text.split("\n")
    if line > len(lines):
        raise GenlsError(f"{path} has {len(lines)} lines; line {line} is past the end")
    offset = sum(len(item) + 1 for item in lines[: line - 1]) + min(
        column - 1, len(lines[line - 1])
    )

    settings = settings_for(path, args)
    engine = CompletionEngine(settings, create_backend)
    request = CompletionRequest(
        uri=path.resolve().as_uri(), path=str(path), text=text, offset=offset
    )
    try:
        suggestion = asyncio.run(engine.complete(request))
    finally:
        engine.close()
    if args.json:
        stats = suggestion.stats if suggestion else None
        print(
            json.dumps(
                {
                    "file": str(path),
                    "line": line,
                    "column": column,
                    "text": suggestion.text if suggestion else "",
                    "multiline": bool(suggestion and suggestion.multiline),
                    "seconds": round(suggestion.seconds, 4) if suggestion else None,
                    "prompt_tokens": stats.prompt_tokens if stats else 0,
                    "generated_tokens": stats.generated_tokens if stats else 0,
                    "model": settings.completion.model,
                }
            )
        )
    elif suggestion:
        print(suggestion.text)
    return 0


def _open_index(path: Path, args: argparse.Namespace):
    from genls.index.workspace_index import WorkspaceIndex

    if not path.is_dir():
        raise GenlsError(f"{path} is not a folder")
    root = path.resolve()
    index = WorkspaceIndex.from_settings(root, settings_for(root, args))
    problem = index.load()
    if index.store_problem:  # asked for on the command line or in the settings: no fallback
        raise GenlsError(index.store_problem)
    if problem:
        print(f"genls: {problem}; rebuilding", file=sys.stderr)
    return index


def _index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    index = _open_index(args.path, args)
    if not index.writes_to_disk:
        raise GenlsError(
            f"another genls process is writing the index in {index.folder} (an editor's server?);"
            " it keeps the index up to date: use its genls.index command, or stop it first"
        )
    with tqdm(unit="file", desc="indexing", file=sys.stderr, disable=args.json) as bar:

        def progress(done: int, total: int, path: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(path[-40:], refresh=False)
            bar.refresh()

        summary = index.update(progress)
    assert summary is not None  # nothing stops a CLI run midway
    # Only when asked on the command line: a laptop's settings read the store, CI writes it.
    shared = _publish_to_shared(index, args.json) if args.index_store else {}
    if args.json:
        print(json.dumps(summary.__dict__ | shared))
    else:
        languages = ", ".join(
            f"{name} {count}" for name, count in sorted(summary.languages.items())
        )
        stages = ", ".join(f"{name} {sec:.1f}s" for name, sec in summary.stage_seconds.items())
        print(
            f"{summary.files} files ({summary.changed} indexed, {summary.removed} removed), "
            f"{summary.chunks} chunks in {summary.seconds:.1f}s; {languages}; {stages}"
        )
    return 0


def _publish_to_shared(index: Any, quiet: bool) -> dict[str, Any]:
    """Store HEAD in the shared index after the local update; what happened, for --json."""
    commit, stored = index.publish_to_shared()
    where = index.shared.where
    if not quiet:
        print(
            f"stored commit {commit[:12]} in the shared index at {where}"
            if stored
            else f"commit {commit[:12]} was already in the shared index at {where}",
            file=sys.stderr,
        )
    return {"commit": commit, "stored": stored}


def _search(args: argparse.Namespace) -> int:
    index = _open_index(args.path, args)
    if not index.ready:
        raise GenlsError(f"no index in {args.path.resolve()}: run `genls index` first")
    hits = index.search(args.query, args.k)
    if args.json:
        print(json.dumps([hit.__dict__ for hit in hits]))
    for hit in [] if args.json else hits:
        name = f"  {hit.symbol}" if hit.symbol else ""
        print(f"{hit.score:.4f}  {hit.path}:{hit.start_line + 1}-{hit.end_line + 1}{name}")
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from genls.assist.diagram import DiagramRequest, diagram_to_file, format_of, parse_scope

    root = (args.root or _project_root(Path.cwd())).resolve()
    settings = settings_for(root, args)
    scope, symbol = parse_scope(root, args.scope, args.kind)
    request = DiagramRequest(
        args.kind,
        scope,
        symbol,
        format_of(args.output),
        args.depth,
        args.max_nodes or settings.assets.diagram_max_nodes,
    )
    drawn, written = diagram_to_file(root, request, args.output, settings.index.max_file_bytes)
    for note in drawn.graph.notes:
        print(f"genls: {note}", file=sys.stderr)
    if written is None:
        sys.stdout.write(drawn.text)
        return 0
    print(
        f"{written}: {len(drawn.graph.nodes)} nodes, {len(drawn.graph.edges)} edges",
        file=sys.stderr,
    )
    for warning in drawn.warnings:
        print(f"genls: {warning}; wrote {written}", file=sys.stderr)
    return 2 if drawn.warnings else 0


# -- documents from the git history ----------------------------------------------------------


class _ProgressBar:
    """A tqdm bar on stderr fed by the (done, total, what) callbacks of genls.history."""

    def __init__(self, unit: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(unit=unit, file=sys.stderr, leave=False, disable=None)

    def __call__(self, done: int, total: int, what: str) -> None:
        self.bar.total = total
        self.bar.n = done
        self.bar.set_description_str(what, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _changelog(args: argparse.Namespace) -> int:
    from genls.atomic_files import write_text
    from genls.history.changelog import build_changelog, merge_into, render_markdown
    from genls.history.classify import ModelClassifier
    from genls.history.commits import open_repository
    from genls.llm.instruction import InstructionModel

    repo = open_repository(args.repo)
    model = None if args.no_model else InstructionModel(settings_for(args.repo, args))
    bar = _ProgressBar("commit")
    try:
        changelog = build_changelog(
            repo,
            since=args.since,
            until=args.until,
            classify=ModelClassifier(model.ask) if model else None,
            progress=bar,
        )
    finally:
        bar.close()
        if model:
            model.close()
    for warning in changelog.warnings:
        print(f"genls: {warning}", file=sys.stderr)
    if args.write:
        existing = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
        write_text(args.write, merge_into(existing, changelog))
    if args.format == "json":
        print(json.dumps(changelog.to_json(), indent=2, ensure_ascii=False))
    elif not args.write:
        print(render_markdown(changelog), end="")
    return 0


def _history(args: argparse.Namespace) -> int:
    from genls.history.commits import open_repository
    from genls.history.symbol_history import symbol_history
    from genls.llm.instruction import InstructionModel

    path_text, _, symbol = args.target.partition(":")
    path = Path(path_text)
    repo = open_repository(path.parent if path.parent.exists() else Path("."))
    model = None if args.no_model else InstructionModel(settings_for(path, args))
    try:
        story = symbol_history(repo, path, symbol or None, ask=model.ask if model else None)
    finally:
        if model:
            model.close()
    if args.json:
        print(json.dumps(story.to_json(), indent=2, ensure_ascii=False))
    else:
        print(story.markdown(), end="")
    return 0


def _commit_message(args: argparse.Namespace) -> int:
    from genls.history.commit_message import write_commit_message
    from genls.history.commits import open_repository
    from genls.llm.instruction import InstructionModel

    repo = open_repository(args.repo)
    model = InstructionModel(settings_for(args.repo, args))
    try:
        message = write_commit_message(repo, model.ask)
    finally:
        model.close()
    print(message.text)


def _image(args: argparse.Namespace) -> int:
    from multimodal.image.errors import ImageError
    from multimodal.image.request import ImageRequest

    settings = settings_for(Path.cwd(), args)
    request = ImageRequest(args.prompt, args.n, args.size, args.seed, args.steps, args.guidance)
    try:
        request = request.checked()  # before importing torch: a bad flag fails at once
        from multimodal.image.assets import make_icons
        from multimodal.image.generate import load_image_model

        model = load_image_model(settings.assets.image_model, settings.runtime.threads)
        made = make_icons(model, request, args.output, f"genls {__version__}")
    except ImageError as exc:
        print(f"genls: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("genls: cancelled; nothing was written", file=sys.stderr)
        return 130
    for warning in made.warnings:
        print(f"genls: {warning}", file=sys.stderr)
    for path in made.files:
        print(path)
    print(f"{request.n} image(s) in {made.seconds:.1f} s", file=sys.stderr)
    return 0
