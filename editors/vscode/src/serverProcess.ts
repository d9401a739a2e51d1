/**
 * The server's child process, started by the extension rather than by vscode-languageclient
 * so that a failed start can be explained: the spawn error (ENOENT), the exit code and the
 * last lines of stderr are kept here for the message.
 *
 * No `vscode` import: unit-tested in plain Node.
 */

import { spawn, type ChildProcess } from "node:child_process";

import type { ProcessExit, ServerCommand } from "./serverCommand";

/** How much of stderr to keep: a Python traceback ends with the line that explains it. */
const STDERR_TAIL_CHARS = 4000;

export class ServerProcess {
  private stderrTail = "";
  private exit: ProcessExit | undefined;
  private readonly exited: Promise<ProcessExit>;

  private constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      // "close", not "exit": by then stderr has been read to its end.
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Resolves once the process runs; rejects with the spawn error (its `code` is e.g. ENOENT). */
  static start(server: ServerCommand, cwd: string | undefined): Promise<ServerProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(server.command, [...server.args], {
        cwd,
        stdio: ["pipe", "pipe", "pipe"],
      });
      child.once("error", reject);
      child.once("spawn", () => {
        child.off("error", reject);
        resolve(new ServerProcess(child));
      });
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** How the process ended, waiting at most `timeoutMs`; undefined if it still runs. */
  async exitWithin(timeoutMs: number): Promise<ProcessExit | undefined> {
    if (this.exit !== undefined) {
      return this.exit;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
