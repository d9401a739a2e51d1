/**
 * The one path every server command takes, whether the palette, a code action or a code lens
 * started it: check that the server has the command, ask for the missing inputs, run it under
 * a cancellable progress notification, and show the result (resultViews.ts).
 *
 * vscode-languageclient shows the server's own $/progress only in the status bar, where
 * VS Code offers no cancel button; the notification here has one, and cancelling it sends
 * $/cancelRequest, which stops the server's job.
 */

import * as vscode from "vscode";

import {
  PALETTE_COMMANDS,
  REFACTOR_INSTRUCTION,
  RESTART_COMMAND,
  SERVER_JOBS,
  lacksInstruction,
  withInstruction,
  type EditorContext,
  type InputSpec,
  type PaletteCommand,
  type ResultView,
} from "./commands";
import { isCancellation, isRefusal, missingCommandMessage } from "./results";
import type { ShowResult } from "./resultViews";
import type { ServerSession } from "./session";

/** One run of a server command, however it was started. */
interface Run {
  readonly serverCommand: string;
  readonly title: string;
  readonly progress?: string;
  readonly view: ResultView;
}

const TYPE_YOUR_OWN = "$(edit) Type your own…";

export class CommandRunner {
  constructor(
    private readonly session: ServerSession,
    private readonly views: Record<ResultView, ShowResult>,
  ) {}

  register(): vscode.Disposable[] {
    return [
      ...PALETTE_COMMANDS.map((command) =>
        vscode.commands.registerCommand(command.id, () => this.runPalette(command)),
      ),
      vscode.commands.registerCommand(RESTART_COMMAND.id, () => this.session.restart()),
    ];
  }

  /**
   * For the client's executeCommand middleware: a server job started by a code action or a
   * code lens runs here (undefined: not a job, the client sends it as it is).
   */
  intercept(command: string, args: readonly unknown[]): Promise<unknown> | undefined {
    const job = SERVER_JOBS[command];
    if (job === undefined) {
      return undefined;
    }
    return (async () => {
      let sent = args;
      if (lacksInstruction(command, args)) {
        const instruction = await ask(REFACTOR_INSTRUCTION);
        if (instruction === undefined) {
          return undefined;
        }
        sent = withInstruction(args, instruction);
      }
      return this.run({ serverCommand: command, ...job }, sent);
    })();
  }

  private async runPalette(command: PaletteCommand): Promise<void> {
    if (!this.offered(command.serverCommand)) {
      return;
    }
    const editor = editorContext(vscode.window.activeTextEditor);
    if (command.needsEditor && editor === undefined) {
      void vscode.window.showErrorMessage(`genls: ${command.title} needs an open file.`);
      return;
    }
    const inputs: string[] = [];
    for (const spec of command.inputs) {
      const answer = await ask(spec);
      if (answer === undefined) {
        return;
      }
      inputs.push(answer);
    }
    await this.run(command, command.args({ inputs, editor }));
  }

  /** False, after saying so, when the running server lacks the command (an older genls). */
  private offered(serverCommand: string): boolean {
    if (this.session.offers(serverCommand) === false) {
      void vscode.window.showErrorMessage(missingCommandMessage(serverCommand));
      return false;
    }
    return true;
  }

  private async run(run: Run, args: readonly unknown[]): Promise<unknown> {
    if (!this.offered(run.serverCommand)) {
      return undefined;
    }
    const execute = (token?: vscode.CancellationToken): Promise<unknown> =>
      this.session.executeCommand(run.serverCommand, args, token);
    let cancelled = false;
    try {
      const result =
        run.progress === undefined
          ? await execute()
          : await vscode.window.withProgress(
              {
                location: vscode.ProgressLocation.Notification,
                title: run.progress,
                cancellable: true,
              },
              (_progress, token) => {
                token.onCancellationRequested(() => (cancelled = true));
                return execute(token);
              },
            );
      if (!isRefusal(result)) {
        await this.views[run.view](run.title, result);
      }
      return result;
    } catch (error) {
      if (!cancelled && !isCancellation(error)) {
        const reason = error instanceof Error ? error.message : String(error);
        void vscode.window.showErrorMessage(`genls: ${run.title} failed: ${reason}`);
      }
      return undefined;
    }
  }
}

/**
 * One answer: an input box, or a quick pick of `choices` (with a last entry for typing one's
 * own when `freeText`); undefined when the user cancels or leaves it empty.
 */
async function ask(spec: InputSpec): Promise<string | undefined> {
  let answer: string | undefined;
  if (spec.choices === undefined) {
    answer = await inputBox(spec);
  } else {
    const items = [...spec.choices, ...(spec.freeText ? [TYPE_YOUR_OWN] : [])];
    answer = await vscode.window.showQuickPick(items, {
      title: spec.prompt,
      placeHolder: spec.placeHolder,
      ignoreFocusOut: true,
    });
    if (answer === TYPE_YOUR_OWN) {
      answer = await inputBox(spec);
    }
  }
  return answer === undefined || answer.trim() === "" ? undefined : answer.trim();
}

function inputBox(spec: InputSpec): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    prompt: spec.prompt,
    placeHolder: spec.placeHolder,
    ignoreFocusOut: true,
  });
}

/** VS Code and LSP both count characters in UTF-16 code units, so positions carry over. */
function editorContext(editor: vscode.TextEditor | undefined): EditorContext | undefined {
  if (editor === undefined) {
    return undefined;
  }
  const { start, end, active } = editor.selection;
  const wordRange = editor.document.getWordRangeAtPosition(active);
  return {
    uri: editor.document.uri.toString(),
    languageId: editor.document.languageId,
    selection: {
      start: { line: start.line, character: start.character },
      end: { line: end.line, character: end.character },
    },
    word: wordRange === undefined ? undefined : editor.document.getText(wordRange),
  };
}
