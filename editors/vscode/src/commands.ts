/**
 * The palette commands, as data: each runs one server command (workspace/executeCommand).
 * A new server command (docstring, refactor, changelog, diagram, ...) is one entry here plus
 * its `contributes.commands` line in package.json; commandRunner.ts does the rest (input
 * boxes, progress, showing the result).
 *
 * Pure (no `vscode` import): the argument builders are unit-tested.
 */

import type { LspPosition } from "./serverTypes";

/** The commands the server offers (its executeCommandProvider). */
export const SERVER_COMMAND = {
  status: "genls.status",
  search: "genls.search",
  index: "genls.index",
  /** Attached to each inline completion item; VS Code runs it after an accept. */
  acceptedCompletion: "genls.acceptedCompletion",
} as const;

/** How a command's result is shown. */
export type ResultView = "searchHits" | "statusJson" | "indexSummary";

export interface InputSpec {
  readonly prompt: string;
  readonly placeHolder?: string;
}

/** The active editor, in LSP terms, for commands that act on code (docstring, refactor). */
export interface EditorContext {
  readonly uri: string;
  readonly languageId: string;
  readonly selection: { readonly start: LspPosition; readonly end: LspPosition };
}

export interface CommandContext {
  /** One non-empty answer per `inputs` entry, in order. */
  readonly inputs: readonly string[];
  readonly editor: EditorContext | undefined;
}

export interface PaletteCommand {
  /**
   * The VS Code command id. It must differ from the server's own ids: vscode-languageclient
   * registers those itself, and a second registration would fail.
   */
  readonly id: string;
  /** Shown as "genls: <title>" (package.json gives every command the category "genls"). */
  readonly title: string;
  readonly serverCommand: string;
  /** Asked for in input boxes before the command runs; Escape or an empty answer cancels. */
  readonly inputs: readonly InputSpec[];
  /** A notification with this title is shown while the command runs (long jobs). */
  readonly progress?: string;
  readonly args: (context: CommandContext) => unknown[];
  readonly view: ResultView;
}

export const CATEGORY = "genls";

/** Hits shown by Search Workspace; a quick pick is for choosing, not for reading 100. */
export const SEARCH_HIT_COUNT = 20;

export const PALETTE_COMMANDS: readonly PaletteCommand[] = [
  {
    id: "genls.searchWorkspace",
    title: "Search Workspace",
    serverCommand: SERVER_COMMAND.search,
    inputs: [
      {
        prompt: "Search the workspace index: names, words or a question about the code",
        placeHolder: "where are the settings merged",
      },
    ],
    args: ({ inputs }) => [inputs[0], SEARCH_HIT_COUNT],
    view: "searchHits",
  },
  {
    id: "genls.reindexWorkspace",
    title: "Re-index Workspace",
    serverCommand: SERVER_COMMAND.index,
    inputs: [],
    progress: "genls: indexing the workspace",
    args: () => [],
    view: "indexSummary",
  },
  {
    id: "genls.showStatus",
    title: "Show Status",
    serverCommand: SERVER_COMMAND.status,
    inputs: [],
    args: () => [],
    view: "statusJson",
  },
];

/** Handled by the extension itself, not by a server command. */
export const RESTART_COMMAND = { id: "genls.restartServer", title: "Restart Server" } as const;

/** What a click on the status bar item runs. */
export const SHOW_STATUS_COMMAND = "genls.showStatus";
