/**
 * The vscode-languageclient client for one server process: which documents it serves, which
 * features it uses, and who tells the user when the server does not start.
 *
 * Inline completion (LSP 3.18 `textDocument/inlineCompletion`) is one of vscode-languageclient's
 * built-in features: it registers an InlineCompletionItemProvider, so suggestions show as
 * VS Code's own ghost text with its accept / next / previous UI. Each item carries the server's
 * `genls.acceptedCompletion` command, which VS Code runs after an accept; the client's
 * ExecuteCommandFeature has registered that id (from the server's executeCommandProvider) and
 * forwards it as workspace/executeCommand. `$/progress` with window/workDoneProgress/create is
 * shown by the client's ProgressFeature in the status bar.
 */

import type { ChildProcess } from "node:child_process";

import type { LogOutputChannel } from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type Message,
} from "vscode-languageclient/node";

import { SERVER_COMMAND } from "./commands";
import { settingsPayload, type GenlsSettings } from "./settings";

export interface ClientSetup {
  /** Starts the server process; rejects with the spawn error. */
  readonly launch: () => Promise<ChildProcess>;
  readonly settings: GenlsSettings;
  readonly outputChannel: LogOutputChannel;
  readonly onAcceptedCompletion: () => void;
  readonly interceptCommand: CommandInterceptor;
}

/** Runs a server command its own way, or returns undefined to let the client send it. */
export type CommandInterceptor = (
  command: string,
  args: readonly unknown[],
) => Promise<unknown> | undefined;

export class GenlsLanguageClient extends LanguageClient {
  constructor(setup: ClientSetup) {
    const errorHandler = new FirstStartErrorHandler();
    super("genls", "genls", setup.launch, {
      // Every file and unsaved buffer: the server decides per language (genls.disabledLanguages).
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      initializationOptions: settingsPayload(setup.settings),
      // A failed initialize fails the same way again; the session explains it instead.
      initializationFailedHandler: () => false,
      errorHandler,
      outputChannel: setup.outputChannel,
      // Failed requests are reported by the code that sent them, in its own words.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        // The server's completion list is its fallback for editors without ghost text. Asking
        // for both would run the model twice per keystroke, and the server cancels the older
        // request, so the list would cancel the ghost text.
        provideCompletionItem: () => undefined,
        // Code actions and code lenses run server commands through here: jobs go to the
        // extension's runner (progress with cancel, results opened, a refactor instruction
        // asked for), the rest straight to the server.
        executeCommand: async (command, args, next) => {
          const intercepted = setup.interceptCommand(command, args);
          const result: unknown = await (intercepted ?? next(command, args));
          if (command === SERVER_COMMAND.acceptedCompletion) {
            setup.onAcceptedCompletion();
          }
          return result;
        },
      },
    });
    errorHandler.attach(this);
  }

  /**
   * The session explains a failed start itself (what to install or configure); the client's
   * own notification would say it a second time, less helpfully, with a stack trace.
   */
  override error(message: string, data?: unknown, showNotification?: boolean | "force"): void {
    super.error(message, data, this.state === State.StartFailed ? false : showNotification);
  }
}

/**
 * The default policy (restart up to 4 times in 3 minutes) for a server that ran. A server
 * that fails while starting is not restarted, since it would fail the same way again, and
 * its errors are left to the session to explain, in one message.
 */
class FirstStartErrorHandler implements ErrorHandler {
  private client: LanguageClient | undefined;
  private defaults: ErrorHandler | undefined;

  attach(client: LanguageClient): void {
    this.client = client;
    this.defaults = client.createDefaultErrorHandler();
  }

  error(
    error: Error,
    message: Message | undefined,
    count: number | undefined,
  ): ErrorHandlerResult | Promise<ErrorHandlerResult> {
    if (this.client?.state !== State.Running) {
      // Writing to a server that has just exited: closed() and the session explain that.
      return { action: ErrorAction.Continue, handled: true };
    }
    return this.attached().error(error, message, count);
  }

  closed(): CloseHandlerResult | Promise<CloseHandlerResult> {
    if (this.client?.state !== State.Running) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    return this.attached().closed();
  }

  private attached(): ErrorHandler {
    if (this.defaults === undefined) {
      throw new Error("FirstStartErrorHandler used before attach()");
    }
    return this.defaults;
  }
}
