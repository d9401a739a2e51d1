"""The genls command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest

from tests.conftest import DEFAULT_MODEL, TINY_MODEL


def genls(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genls", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_complete_prints_json(tmp_path):
    source = tmp_path / "shapes.py"
    source.write_text("import math\n\n\ndef circle_area(radius):\n    return math.pi * \n")
    result = genls("complete", f"{source}:5:22", "--json", "--model", TINY_MODEL)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["text"].strip() and "\n" not in answer["text"]
    assert answer["line"] == 5 and answer["column"] == 22
    assert answer["prompt_tokens"] > 0 and answer["model"] == TINY_MODEL


def test_complete_plain_output_is_the_suggestion(tmp_path):
    source = tmp_path / "count.py"
    source.write_text("numbers = [1, 2, 3, 4, 5, \n")
    result = genls("complete", f"{source}:1:26", "--model", TINY_MODEL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize(
    ("content", "location", "message"),
    [
        (b"caf\xe9 = 1\n", "{path}:1:1", "not UTF-8"),
        (b"x = 1\n", "{path}:9:1", "line 9 is past the end"),
        (b"x = 1\n", "{path}:one:1", "expected FILE:LINE:COL"),
        (b"x = 1\n", "{path}:0:1", "1-based"),
        (None, "{path}:1:1", "no such file"),
    ],
)
def test_complete_bad_input_is_one_clear_line(tmp_path, content, location, message):
    path = tmp_path / "input.py"
    if content is not None:
        path.write_bytes(content)
    result = genls("complete", location.format(path=path), "--model", TINY_MODEL)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_models_and_threads():
    result = genls("doctor", "--skip-speed", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    checks = {check["name"]: check for check in report["checks"]}
    assert report["ok"] is True
    assert checks["model qwen2.5-coder-0.5b"]["ok"]
    assert checks["model smollm2-135m"]["ok"]
    assert "physical" in checks["threads"]["detail"]


def test_doctor_measures_speed_in_plain_words():
    result = genls("doctor", "--model", TINY_MODEL)
    assert result.returncode == 0, result.stdout + result.stderr
    speed = next(line for line in result.stdout.splitlines() if "speed:" in line)
    assert "prefill" in speed and "tokens/s" in speed and "decode" in speed


def test_doctor_measures_each_completion_models_latency_and_recommends_one():
    result = genls("doctor", "--json", "--context-tokens", "512")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    for model in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b-iq4nl"):
        detail = checks[f"latency {model}"]["detail"]
        cold, continuing = (
            float(re.search(rf"{label} ([\d.]+) s", detail).group(1))
            for label in ("cold", "continuing")
        )
        assert detail.startswith("512-token budget")
        # Measured: a keystroke at a prefilled place costs less than a cold prompt.
        assert continuing < cold, detail
    assert re.search(
        r"model qwen2\.5-coder-\d\.\db(-iq4nl)?, contextTokens \d+",
        checks["recommendation"]["detail"],
    )


def test_doctor_recommends_the_better_model_at_the_largest_budget_that_meets_the_targets():
    from genls.doctor_latency import ModelLatency, recommendation

    def latency(model: str, rate: float, continuing: float) -> ModelLatency:
        # 768 tokens prefilled at `rate`, 0.1 s of decoding on top.
        return ModelLatency(model, 768, 768 / rate + 0.1, 768 / rate, rate, continuing)

    fast, slow = latency("small", 600.0, 0.05), latency("big", 200.0, 0.2)
    # big: 512 tokens arrive in 512/200 - 1.1 + 0.1 = 1.56 s, just over; small meets 1,024.
    assert recommendation([slow, fast]) == (True, recommendation([fast])[1])
    assert "model small, contextTokens 1024" in recommendation([slow, fast])[1]
    quick = latency("big", 400.0, 0.2)  # 768 tokens: 1.92 - 1.1 + 0.1 = 0.92 s
    assert "model big, contextTokens 768" in recommendation([quick, fast])[1]
    sluggish = latency("big", 400.0, 0.3)  # continuing over 0.25 s: never recommended
    met, advice = recommendation([sluggish])
    assert not met and "nearest: model big, contextTokens 512" in advice


def test_doctor_says_what_is_wrong_with_a_bad_model(tmp_path):
    result = genls("doctor", "--model", str(tmp_path / "nowhere.gguf"))
    assert result.returncode == 1
    assert "neither a bundled model" in result.stdout


def test_bad_flag_value_is_a_clear_error():
    result = genls("serve", "--threads", "0")
    assert result.returncode == 2
    assert "threads must be at least 1" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_tcp_binds_to_loopback_by_default():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "genls", "serve", "--tcp", str(port), "--model", TINY_MODEL],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        addresses: list[str] = []
        while time.monotonic() < deadline and not addresses:
            listening = [
                c
                for c in psutil.Process(server.pid).net_connections()
                if c.status == psutil.CONN_LISTEN
            ]
            addresses = [c.laddr.ip for c in listening if c.laddr.port == port]
            time.sleep(0.2)
        assert addresses == ["127.0.0.1"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert f"tcp 127.0.0.1:{port}" in server.stderr.read()


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _completion_session(uri: str, text: str, model: str) -> bytes:
    """initialize, initialized, didOpen and one inline request, as one write."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "capabilities": {},
                "initializationOptions": {"model": model, "maxTokens": 300, "maxLines": 300},
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}
            },
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "textDocument/inlineCompletion",
            "params": {
                "textDocument": {"uri": uri},
                "position": {"line": 13, "character": 4},
                "context": {"triggerKind": 2},
            },
        },
    ]
    return b"".join(frame(m) for m in messages)


def _start_and_send(tmp_path, model: str) -> subprocess.Popen:
    """The server with one session written to it, killed if it is still running in 2 minutes."""
    text = "def count():\n" + "".join(f"    print({i})\n" for i in range(1, 13)) + "    "
    server = subprocess.Popen(
        [sys.executable, "-m", "genls", "serve", "--log-level", "debug"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server.stdin.write(_completion_session((tmp_path / "count.py").as_uri(), text, model))
    server.stdin.flush()
    watchdog = threading.Timer(120, server.kill)  # a hung server fails the test, not the suite
    watchdog.daemon = True
    watchdog.start()
    return server


def _read_until(server: subprocess.Popen, marker: bytes) -> bytes:
    seen = b""
    for line in server.stderr:
        seen += line
        if marker in line:
            break
    assert marker in seen, seen.decode()
    return seen


def _ends_cleanly(server: subprocess.Popen, stderr: bytes) -> bytes:
    server.stdin.close()  # the editor is gone
    stderr += server.stderr.read()  # to the end: the server has exited
    server.wait(timeout=60)
    assert server.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr, stderr.decode()
    return stderr


def test_client_disconnecting_while_the_model_loads_ends_the_server_cleanly(tmp_path):
    server = _start_and_send(tmp_path, DEFAULT_MODEL)
    stderr = _ends_cleanly(server, _read_until(server, b"loading model"))
    # The editor left before the model was ready (loading it takes far longer than leaving).
    assert b"the client left while the model was loading" in stderr, stderr.decode()


def test_client_disconnecting_mid_request_ends_the_server_cleanly(tmp_path):
    server = _start_and_send(tmp_path, TINY_MODEL)
    _ends_cleanly(server, _read_until(server, b"generating for"))


def test_shutdown_while_the_index_loads_its_model_ends_the_server(tmp_path):
    # Loading the embedder cannot be stopped (and takes many seconds on a cold machine): the
    # shutdown is answered without waiting for it, and `exit` ends the process.
    workspace = tmp_path / "project"
    workspace.mkdir()
    for number in range(20):
        (workspace / f"module_{number}.py").write_text(f"def f{number}(x):\n    return x\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "genls", "serve", "--log-level", "debug"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(120, server.kill)  # a hung server fails the test, not the suite
    watchdog.daemon = True
    watchdog.start()
    start = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "rootUri": workspace.as_uri(),
                "capabilities": {},
                "initializationOptions": {"model": TINY_MODEL},
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    ]
    server.stdin.write(b"".join(frame(m) for m in start))
    server.stdin.flush()
    stderr = _read_until(server, b"loading the embedding model")
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    server.stdin.flush()
    stderr += _read_until(server, b'Sending data: {"id": 2')
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.flush()
    _ends_cleanly(server, stderr)


SCALE = "def scale(values, factor):\n    return [value * factor for value in values]\n"


@pytest.mark.slow
def test_docstring_prints_a_diff_and_writes_only_when_asked(tmp_path):
    source = tmp_path / "scale.py"
    source.write_text(SCALE)
    model = ("--instruction-model", DEFAULT_MODEL)
    shown = genls("docstring", f"{source}:1", *model)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"--- a/{source}\n+++ b/{source}\n")
    assert '+    """' in shown.stdout and "+    Args:" in shown.stdout
    assert source.read_text() == SCALE  # a diff only

    written = genls("docstring", f"{source}:1", "--style", "sphinx", "--write", *model)
    assert written.returncode == 0, written.stderr
    text = source.read_text()
    assert ":param values:" in text and ":param factor:" in text
    compile(text, str(source), "exec")


def test_docstring_and_refactor_refuse_bad_locations_without_touching_the_file(tmp_path):
    source = tmp_path / "scale.py"
    source.write_text(SCALE)
    for args, message in (
        (("docstring", f"{source}:9"), "line 9 is past the end"),
        (("docstring", f"{source}:x"), "expected FILE:LINE"),
        (("refactor", f"{source}:2-1", "--instruction", "x"), "expected FILE:LINE"),
        (("docstring", f"{tmp_path}/missing.py:1"), "no such file"),
    ):
        result = genls(*args, "--instruction-model", TINY_MODEL)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert source.read_text() == SCALE


def _read_frame(stream) -> dict:
    headers = {}
    while line := stream.readline().strip():
        key, _, value = line.partition(b":")
        headers[key.lower()] = value.strip()
    assert headers, "the server closed its output"
    return json.loads(stream.read(int(headers[b"content-length"])))


def test_an_editor_gets_the_log_at_its_levels_and_stderr_only_warnings(tmp_path):
    """Editors show a server's stderr as errors: INFO goes to them as window/logMessage."""
    (tmp_path / "shapes.py").write_text("def area(w, h):\n    return w * h\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "genls", "serve"],  # as an editor starts it: no --log-level
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(180, server.kill)
    watchdog.daemon = True
    watchdog.start()
    options = {"model": TINY_MODEL}  # the index on: faiss is loaded, and says which build
    server.stdin.write(
        frame(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "capabilities": {},
                    "rootUri": tmp_path.as_uri(),
                    "initializationOptions": options,
                },
            }
        )
        + frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    )
    server.stdin.flush()
    logs: list[dict] = []

    def said(text: str) -> bool:
        return any(text in log["message"] for log in logs)

    # Both INFO: the model loaded, the workspace indexed (in either order).
    while not (said("ready: ") and said("indexed 1 files")):
        message = _read_frame(server.stdout)
        if message.get("method") == "window/logMessage":
            logs.append(message["params"])
    server.stdin.write(
        frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + frame({"jsonrpc": "2.0", "method": "exit"})
    )
    server.stdin.close()
    stderr = server.stderr.read().decode()
    server.wait(timeout=60)
    watchdog.cancel()

    ready = [log for log in logs if "ready: " in log["message"]]
    assert ready and ready[0]["type"] == 3, logs  # MessageType.Info
    assert server.returncode == 0, stderr
    assert "INFO" not in stderr and "faiss" not in stderr, stderr


def test_doctor_leaves_an_unchosen_model_to_convert_for_its_first_use(tmp_path):
    env = {**os.environ, "GENLS_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "genls", "doctor", "--skip-speed", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    converted = checks["model qwen2.5-coder-0.5b-iq4nl"]
    assert converted["ok"] and "on first use" in converted["detail"], converted
    assert not list((tmp_path / "models").glob("*.iq4_nl.gguf*"))
    assert checks["model qwen2.5-coder-0.5b"]["ok"]  # the chosen one is made ready now
