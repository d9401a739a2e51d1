/**
 * The status bar item: model, index state and last completion latency, from `genls.status`
 * polled while the server runs (and right after an accepted suggestion). A click shows the
 * full status.
 */

import * as vscode from "vscode";

import { SERVER_COMMAND, SHOW_STATUS_COMMAND } from "./commands";
import { isServerStatus, type ServerStatus } from "./serverTypes";
import type { ServerSession } from "./session";
import { statusBarView, type ServerState } from "./statusText";

const POLL_MS = 5000;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private readonly listeners: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  private status: ServerStatus | undefined;
  /** At most one status request in flight: a busy server must not pile them up. */
  private polling = false;

  constructor(private readonly session: ServerSession) {
    this.item.name = "genls";
    this.item.command = SHOW_STATUS_COMMAND;
    this.listeners = [
      session.onDidChangeState((state) => this.stateChanged(state)),
      // The latency figure has just changed.
      session.onDidAcceptCompletion(() => void this.poll()),
    ];
    this.stateChanged(session.state);
    this.item.show();
  }

  dispose(): void {
    this.stopPolling();
    for (const listener of this.listeners) {
      listener.dispose();
    }
    this.item.dispose();
  }

  private stateChanged(state: ServerState): void {
    if (state === "running") {
      this.timer ??= setInterval(() => void this.poll(), POLL_MS);
      void this.poll();
    } else {
      this.stopPolling();
      this.status = undefined;
    }
    this.render(state);
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.session.state !== "running") {
      return;
    }
    this.polling = true;
    try {
      const status = await this.session.executeCommand(SERVER_COMMAND.status, []);
      this.status = isServerStatus(status) ? status : undefined;
    } catch {
      // The server stopped or is restarting: the state change renders that.
      this.status = undefined;
    } finally {
      this.polling = false;
    }
    this.render(this.session.state);
  }

  private render(state: ServerState): void {
    const view = statusBarView(state, state === "running" ? this.status : undefined);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
  }
}
