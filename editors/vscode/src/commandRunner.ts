/**
 * Runs the palette commands of commands.ts: asks for their inputs, calls the server (with a
 * progress notification for long jobs), and shows the result the way the entry says.
 */

import * as vscode from "vscode";

import {
  PALETTE_COMMANDS,
  RESTART_COMMAND,
  type CommandContext,
  type EditorContext,
  type InputSpec,
  type PaletteCommand,
  type ResultView,
} from "./commands";
import { NO_SEARCH_HITS, indexSummaryMessage, searchHitRow } from "./results";
import { isIndexSummary, isSearchHits, type SearchHit } from "./serverTypes";
import type { ServerSession } from "./session";

export function registerCommands(
  session: ServerSession,
  statusOutput: vscode.OutputChannel,
): vscode.Disposable[] {
  const views: Record<ResultView, (result: unknown) => Promise<void>> = {
    searchHits: showSearchHits,
    indexSummary: showIndexSummary,
    statusJson: async (result) => {
      statusOutput.replace(JSON.stringify(result, null, 2));
      statusOutput.show(true);
    },
  };
  return [
    ...PALETTE_COMMANDS.map((command) =>
      vscode.commands.registerCommand(command.id, () => run(command, session, views)),
    ),
    vscode.commands.registerCommand(RESTART_COMMAND.id, () => session.restart()),
  ];
}

async function run(
  command: PaletteCommand,
  session: ServerSession,
  views: Record<ResultView, (result: unknown) => Promise<void>>,
): Promise<void> {
  const inputs = await askInputs(command.inputs);
  if (inputs === undefined) {
    return;
  }
  const context: CommandContext = {
    inputs,
    editor: editorContext(vscode.window.activeTextEditor),
  };
  const execute = (): Promise<unknown> =>
    session.executeCommand(command.serverCommand, command.args(context));
  try {
    const result =
      command.progress === undefined
        ? await execute()
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: command.progress },
            execute,
          );
    await views[command.view](result);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`genls: ${command.title} failed: ${reason}`);
  }
}

/** One input box per input; undefined when the user cancels or leaves one empty. */
async function askInputs(specs: readonly InputSpec[]): Promise<string[] | undefined> {
  const answers: string[] = [];
  for (const spec of specs) {
    const answer = await vscode.window.showInputBox({ ...spec, ignoreFocusOut: true });
    if (answer === undefined || answer.trim() === "") {
      return undefined;
    }
    answers.push(answer.trim());
  }
  return answers;
}

/** VS Code and LSP both count characters in UTF-16 code units, so positions carry over. */
function editorContext(editor: vscode.TextEditor | undefined): EditorContext | undefined {
  if (editor === undefined) {
    return undefined;
  }
  const { start, end } = editor.selection;
  return {
    uri: editor.document.uri.toString(),
    languageId: editor.document.languageId,
    selection: {
      start: { line: start.line, character: start.character },
      end: { line: end.line, character: end.character },
    },
  };
}

async function showSearchHits(result: unknown): Promise<void> {
  if (!isSearchHits(result)) {
    throw new Error("the server's answer is not a list of search hits");
  }
  if (result.length === 0) {
    void vscode.window.showInformationMessage(NO_SEARCH_HITS);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    result.map((hit): vscode.QuickPickItem & { hit: SearchHit } => ({ ...searchHitRow(hit), hit })),
    { matchOnDescription: true, matchOnDetail: true, placeHolder: "Open a hit" },
  );
  if (picked !== undefined) {
    const { line, character } = picked.hit.range.start;
    const start = new vscode.Position(line, character);
    await vscode.window.showTextDocument(vscode.Uri.parse(picked.hit.uri), {
      selection: new vscode.Range(start, start),
    });
  }
}

async function showIndexSummary(result: unknown): Promise<void> {
  if (result !== null && !isIndexSummary(result)) {
    throw new Error("the server's answer is not an index summary");
  }
  void vscode.window.showInformationMessage(indexSummaryMessage(result));
}
