import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ServerProcess } from "../src/serverProcess";

describe("ServerProcess", () => {
  it("rejects with the spawn error when the command does not exist", async () => {
    await assert.rejects(
      ServerProcess.start(
        { command: "/nonexistent/genls", args: ["serve"], origin: "serverPath" },
        undefined,
      ),
      (error: NodeJS.ErrnoException) => error.code === "ENOENT",
    );
  });

  it("keeps the exit code and the end of stderr of a process that exits at once", async () => {
    const script =
      "process.stderr.write('x'.repeat(10000) + '\\nNo module named genls\\n'); process.exit(3)";
    const server = await ServerProcess.start(
      { command: process.execPath, args: ["-e", script], origin: "pythonPath" },
      undefined,
    );
    assert.deepEqual(await server.exitWithin(10_000), { code: 3, signal: null });
    assert.match(server.stderr, /\nNo module named genls\n$/);
    assert.ok(server.stderr.length <= 4000, "only the tail of stderr is kept");
  });

  it("answers undefined while the process still runs", async () => {
    const server = await ServerProcess.start(
      { command: process.execPath, args: ["-e", "setTimeout(() => {}, 5000)"], origin: "PATH" },
      undefined,
    );
    try {
      assert.equal(await server.exitWithin(50), undefined);
    } finally {
      server.child.kill();
    }
  });
});
