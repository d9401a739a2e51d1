/**
 * The server's lifecycle in this window: start, stop and restart it, keep its settings in step
 * with VS Code's, run its commands, and explain a start that fails.
 *
 * A restart creates a new client, so that it picks up a changed genls.serverPath and sends
 * the settings as they are now in `initializationOptions`.
 */

import type { ChildProcess } from "node:child_process";
import { homedir } from "node:os";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  State,
} from "vscode-languageclient/node";

import { GenlsLanguageClient, type CommandInterceptor } from "./client";
import { RESTART_COMMAND } from "./commands";
import { CURSOR_NOTIFICATION, type CursorParams } from "./cursorReporter";
import { NEXT_EDIT_REQUEST, type NextEditParams } from "./nextEdit";
import {
  classifyStartFailure,
  resolveServerCommand,
  startFailureMessage,
  type ServerCommand,
} from "./serverCommand";
import { ServerProcess } from "./serverProcess";
import {
  SECTION,
  explicitServerSettings,
  settingsPayload,
  unsetKeys,
  type GenlsSettings,
} from "./settings";
import type { ServerState } from "./statusText";

/** How long to wait for a failing server's exit code and last stderr lines. */
const EXIT_WAIT_MS = 2000;
const LAUNCH_SETTINGS = ["serverPath", "pythonPath"].map((key) => `${SECTION}.${key}`);

export class ServerNotRunningError extends Error {
  constructor() {
    super(
      'genls is not running: run genls: Restart Server (the "genls" output tells why it stopped).',
    );
  }
}

export class ServerSession implements vscode.Disposable {
  private client: GenlsLanguageClient | undefined;
  private process: ServerProcess | undefined;
  private spawnError: unknown;
  private sentSettings: GenlsSettings = {};
  /** Start, stop and restart run one at a time, in the order they were asked for. */
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly acceptEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeState = this.stateEmitter.event;
  /** The user accepted an inline suggestion (and the server has been told). */
  readonly onDidAcceptCompletion = this.acceptEmitter.event;

  /**
   * `interceptCommand` sees every server command VS Code runs (code actions, code lenses)
   * and may run it itself (commandRunner.ts); undefined lets the client send it as it is.
   */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly interceptCommand: CommandInterceptor = () => undefined,
  ) {}

  get state(): ServerState {
    return toServerState(this.client?.state ?? State.Stopped);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startClient());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopClient());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  /**
   * Runs a server command (workspace/executeCommand) and returns its raw JSON result; a
   * cancelled `token` sends $/cancelRequest.
   */
  async executeCommand(
    command: string,
    args: readonly unknown[],
    token?: vscode.CancellationToken,
  ): Promise<unknown> {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      throw new ServerNotRunningError();
    }
    const params = { command, arguments: [...args] };
    return token === undefined
      ? client.sendRequest(ExecuteCommandRequest.type, params)
      : client.sendRequest(ExecuteCommandRequest.type, params, token);
  }

  /** Whether the running server lists `command`; undefined while no server runs. */
  offers(command: string): boolean | undefined {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      return undefined;
    }
    const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands;
    return commands?.includes(command) ?? false;
  }

  /** `genls/nextEdit` at `position`: the raw JSON answer (null: no next edit). */
  async nextEdit(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<unknown> {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      throw new ServerNotRunningError();
    }
    const params: NextEditParams = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
      position: { line: position.line, character: position.character },
    };
    return client.sendRequest(NEXT_EDIT_REQUEST, params, token);
  }

  /** Tells the running server where the cursor came to rest; dropped while none runs. */
  cursorMoved(document: vscode.TextDocument, position: vscode.Position): void {
    const client = this.client;
    if (client?.state !== State.Running) {
      return;
    }
    const params: CursorParams = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
      position: { line: position.line, character: position.character },
    };
    // A server that has just gone is explained by the session; a lost move costs nothing.
    client.sendNotification(CURSOR_NOTIFICATION, params).catch(() => undefined);
  }

  /** Sends changed settings to the server; a changed server command restarts it. */
  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (LAUNCH_SETTINGS.some((key) => event.affectsConfiguration(key))) {
      await this.restart();
      return;
    }
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    await this.lifecycle; // a server being started has read the old settings: update it too
    const client = this.client;
    if (client?.state !== State.Running) {
      return; // a server that starts later reads the settings then
    }
    const settings = readSettings();
    const unset = unsetKeys(this.sentSettings, settings);
    this.sentSettings = settings;
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: settingsPayload(settings),
    });
    if (unset.length > 0) {
      await this.offerRestart(unset);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.stateEmitter.dispose();
    this.acceptEmitter.dispose();
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    this.lifecycle = this.lifecycle.then(operation, operation);
    return this.lifecycle;
  }

  private async startClient(): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const server = resolveServerCommand(
      {
        serverPath: config.get<string>("serverPath"),
        pythonPath: config.get<string>("pythonPath"),
      },
      homedir(),
    );
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.sentSettings = readSettings();
    const client = new GenlsLanguageClient({
      launch: () => this.launch(server, cwd),
      settings: this.sentSettings,
      outputChannel: this.log,
      onAcceptedCompletion: () => this.acceptEmitter.fire(),
      interceptCommand: this.interceptCommand,
    });
    this.client = client;
    client.onDidChangeState(({ newState }) => {
      this.stateEmitter.fire(toServerState(newState));
      // Also after a crash, when the client restarts the server by itself.
      if (newState === State.StartFailed) {
        void this.explainStartFailure(server);
      }
    });
    this.log.info(`starting ${server.command} ${server.args.join(" ")}`);
    try {
      await client.start();
    } catch {
      // explainStartFailure, called on the state change, tells the user.
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.dispose();
      } catch (error) {
        this.log.warn(`stopping the server: ${String(error)}`);
      }
    }
  }

  private async launch(server: ServerCommand, cwd: string | undefined): Promise<ChildProcess> {
    this.spawnError = undefined;
    this.process = undefined;
    try {
      this.process = await ServerProcess.start(server, cwd);
      return this.process.child;
    } catch (error) {
      this.spawnError = error;
      throw error;
    }
  }

  private async explainStartFailure(server: ServerCommand): Promise<void> {
    const process = this.process;
    const exit = await process?.exitWithin(EXIT_WAIT_MS);
    const failure = classifyStartFailure(this.spawnError, exit, process?.stderr ?? "");
    const message = startFailureMessage(server, failure);
    this.log.error(message);
    const openSettings = "Open Settings";
    const showLog = "Show Log";
    const choice = await vscode.window.showErrorMessage(message, openSettings, showLog);
    if (choice === openSettings) {
      const query = server.origin === "pythonPath" ? "genls.pythonPath" : "genls.serverPath";
      await vscode.commands.executeCommand("workbench.action.openSettings", query);
    } else if (choice === showLog) {
      this.log.show();
    }
  }

  private async offerRestart(keys: readonly string[]): Promise<void> {
    const names = keys.map((key) => `${SECTION}.${key}`).join(", ");
    const restart = RESTART_COMMAND.title;
    const choice = await vscode.window.showInformationMessage(
      `genls keeps the last value of ${names} until it restarts, then uses its default.`,
      restart,
    );
    if (choice === restart) {
      await this.restart();
    }
  }
}

function readSettings(): GenlsSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return explicitServerSettings((key) => config.inspect(key));
}

function toServerState(state: State): ServerState {
  switch (state) {
    case State.Starting:
      return "starting";
    case State.Running:
      return "running";
    case State.Stopped:
    case State.StartFailed:
      return "stopped";
  }
}
