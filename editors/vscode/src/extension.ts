/** Entry point: wires the server session, the status bar and the commands together. */

import * as vscode from "vscode";

import { registerCommands } from "./commandRunner";
import { ServerSession } from "./session";
import { StatusBar } from "./statusBar";

// deactivate() gets no arguments, and must return the server's shutdown for VS Code to await.
let session: ServerSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("genls", { log: true });
  // A JSON output channel: the status reads highlighted, and closing it asks nothing.
  const statusOutput = vscode.window.createOutputChannel("genls status", "json");
  const current = new ServerSession(log);
  session = current;
  context.subscriptions.push(
    log,
    statusOutput,
    new StatusBar(current),
    ...registerCommands(current, statusOutput),
    vscode.workspace.onDidChangeConfiguration((event) => void current.configurationChanged(event)),
  );
  void current.start();
}

export function deactivate(): Promise<void> | undefined {
  return session?.dispose();
}
