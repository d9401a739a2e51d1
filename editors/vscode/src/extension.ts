/** Entry point: wires the server session, the status bar and the commands together. */

import * as vscode from "vscode";

import { CommandRunner } from "./commandRunner";
import { CursorReporter } from "./cursorReporter";
import { NextEditPreview } from "./nextEditPreview";
import { resultViews } from "./resultViews";
import { ServerSession } from "./session";
import { StatusBar } from "./statusBar";

// deactivate() gets no arguments, and must return the server's shutdown for VS Code to await.
let session: ServerSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("genls", { log: true });
  // A JSON output channel: the status reads highlighted, and closing it asks nothing.
  const statusOutput = vscode.window.createOutputChannel("genls status", "json");
  // The session's client hands code actions' jobs to the runner, which runs them through the
  // session: created together, so the interceptor reaches the runner through a closure.
  let runner: CommandRunner | undefined;
  const current = new ServerSession(log, (command, args) => runner?.intercept(command, args));
  runner = new CommandRunner(current, resultViews(statusOutput));
  session = current;
  const cursor = new CursorReporter((document, position) =>
    current.cursorMoved(document, position),
  );
  context.subscriptions.push(
    log,
    statusOutput,
    new StatusBar(current),
    cursor,
    new NextEditPreview(current, log),
    current.onDidChangeState((state) => state === "running" && cursor.reportActive()),
    ...runner.register(),
    vscode.workspace.onDidChangeConfiguration((event) => void current.configurationChanged(event)),
  );
  void current.start();
}

export function deactivate(): Promise<void> | undefined {
  return session?.dispose();
}
