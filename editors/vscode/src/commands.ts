/**
 * The server's commands and the palette commands that run them, as data. A new server
 * command is one SERVER_JOBS entry (how its answer shows) plus, for the palette, one
 * PALETTE_COMMANDS entry and its `contributes.commands` line in package.json;
 * commandRunner.ts does the rest (inputs, progress with cancel, showing the result).
 *
 * Pure (no `vscode` import): the argument builders are unit-tested.
 */

import type { LspPosition } from "./serverTypes";

/** The commands the server offers (its executeCommandProvider); newer ones may be missing. */
export const SERVER_COMMAND = {
  status: "genls.status",
  search: "genls.search",
  index: "genls.index",
  /** Attached to each inline completion item; VS Code runs it after an accept. */
  acceptedCompletion: "genls.acceptedCompletion",
  /** Attached to each next edit (genls/nextEdit, or an inline item that replaces text). */
  acceptedNextEdit: "genls.acceptedNextEdit",
  docstring: "genls.docstring",
  documentFile: "genls.documentFile",
  refactor: "genls.refactor",
  diagram: "genls.diagram",
  changelog: "genls.changelog",
  history: "genls.history",
  commitMessage: "genls.commitMessage",
  generateImage: "genls.generateImage",
  generateMusic: "genls.generateMusic",
  generateSfx: "genls.generateSfx",
} as const;

export type ServerCommandId = (typeof SERVER_COMMAND)[keyof typeof SERVER_COMMAND];

/** How a command's result is shown (resultViews.ts). */
export type ResultView =
  | "searchHits"
  | "statusJson"
  | "indexSummary"
  /** The server applied an edit (workspace/applyEdit): say what it did. */
  | "editOutcome"
  /** The server wrote a file: open it. */
  | "openFile"
  /** `markdown` in a new untitled document. */
  | "markdown"
  /** `message` in the Source Control input box, else in a new document. */
  | "commitMessage";

/** A long server job: the progress notification's title and how its answer shows. */
export interface ServerJob {
  readonly title: string;
  readonly progress: string;
  readonly view: ResultView;
}

/**
 * The jobs, also when a code action or code lens starts them: the client's middleware sends
 * them through the same runner, so a diagram lens opens its file and a cancel button stops
 * a docstring.
 */
export const SERVER_JOBS: Readonly<Record<string, ServerJob>> = {
  [SERVER_COMMAND.docstring]: {
    title: "Docstring",
    progress: "genls: writing a docstring",
    view: "editOutcome",
  },
  [SERVER_COMMAND.documentFile]: {
    title: "Document File",
    progress: "genls: documenting the file",
    view: "editOutcome",
  },
  [SERVER_COMMAND.refactor]: {
    title: "Refactor",
    progress: "genls: refactoring",
    view: "editOutcome",
  },
  [SERVER_COMMAND.diagram]: { title: "Diagram", progress: "genls: drawing", view: "openFile" },
  [SERVER_COMMAND.changelog]: {
    title: "Changelog",
    progress: "genls: writing the changelog",
    view: "markdown",
  },
  [SERVER_COMMAND.history]: {
    title: "History",
    progress: "genls: reading the history",
    view: "markdown",
  },
  [SERVER_COMMAND.commitMessage]: {
    title: "Commit Message",
    progress: "genls: writing a commit message",
    view: "commitMessage",
  },
  [SERVER_COMMAND.generateImage]: {
    title: "Image",
    progress: "genls: painting",
    view: "openFile",
  },
  [SERVER_COMMAND.generateMusic]: {
    title: "Music",
    progress: "genls: composing",
    view: "openFile",
  },
  [SERVER_COMMAND.generateSfx]: {
    title: "Sound Effect",
    progress: "genls: making a sound",
    view: "openFile",
  },
};

/** The server's ready-made refactor instructions (genls/assist/refactor.py PRESETS). */
export const REFACTOR_PRESETS = ["add type hints", "simplify"] as const;
export const DIAGRAM_KINDS = ["classes", "calls", "imports"] as const;
/** The sound effects genls.generateSfx knows (multimodal/audio/sfx.py). */
export const SFX_KINDS = ["coin", "jump", "laser", "explosion", "hit", "powerup", "blip"] as const;

/**
 * `genls.refactor` without its instruction ("Refactor with an instruction…"): the server
 * would offer only its presets (window/showMessageRequest); the extension asks instead.
 */
export function lacksInstruction(command: string, args: readonly unknown[]): boolean {
  const instruction = args[2];
  return (
    command === SERVER_COMMAND.refactor &&
    (typeof instruction !== "string" || instruction.trim() === "")
  );
}

/** `args` with the refactor instruction in its place: [uri, range, instruction]. */
export function withInstruction(args: readonly unknown[], instruction: string): unknown[] {
  return [args[0], args[1], instruction];
}

/** An input box, or with `choices` a quick pick (plus a free-text entry when `freeText`). */
export interface InputSpec {
  readonly prompt: string;
  readonly placeHolder?: string;
  readonly choices?: readonly string[];
  readonly freeText?: boolean;
}

/** The active editor, in LSP terms, for commands that act on code (docstring, refactor). */
export interface EditorContext {
  readonly uri: string;
  readonly languageId: string;
  readonly selection: { readonly start: LspPosition; readonly end: LspPosition };
  /** The word at the cursor: a call graph's function. */
  readonly word?: string;
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
  /** Asked for before the command runs; Escape or an empty answer cancels. */
  readonly inputs: readonly InputSpec[];
  /** Acts on the active editor's file: without one, the command says so and stops. */
  readonly needsEditor?: boolean;
  /** A notification with this title is shown while the command runs (long jobs). */
  readonly progress?: string;
  readonly args: (context: CommandContext) => unknown[];
  readonly view: ResultView;
  /** Offered in the editor's context menu too. */
  readonly contextMenu?: boolean;
}

export const CATEGORY = "genls";

/** Hits shown by Search Workspace; a quick pick is for choosing, not for reading 100. */
export const SEARCH_HIT_COUNT = 20;

/** The editor the command needs; commandRunner checks `needsEditor` before building args. */
function editorOf(context: CommandContext): EditorContext {
  if (context.editor === undefined) {
    throw new Error("this command needs an open file");
  }
  return context.editor;
}

/** The folder of a file URI: an import diagram is drawn for a folder. */
export function folderOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf("/"));
}

/** The genls.diagram options for a kind at the cursor (calls: the word there). */
export function diagramOptions(kind: string, editor: EditorContext | undefined): object {
  if (editor === undefined) {
    return { kind };
  }
  if (kind === "imports") {
    return { kind, uri: folderOf(editor.uri) };
  }
  if (kind === "calls" && editor.word) {
    return { kind, uri: editor.uri, symbol: editor.word };
  }
  return { kind, uri: editor.uri };
}

/** The refactor instruction: a preset, or anything the user types. */
export const REFACTOR_INSTRUCTION: InputSpec = {
  prompt: "How should genls rewrite this code?",
  placeHolder: "e.g. use pathlib instead of os.path",
  choices: REFACTOR_PRESETS,
  freeText: true,
};

/** A palette entry for a server job: title, progress and view come from SERVER_JOBS. */
function job(
  id: string,
  title: string,
  serverCommand: string,
  rest: Pick<PaletteCommand, "inputs" | "args"> & Partial<PaletteCommand>,
): PaletteCommand {
  const spec = SERVER_JOBS[serverCommand];
  if (spec === undefined) {
    throw new Error(`${serverCommand} is not a server job`);
  }
  return { id, title, serverCommand, progress: spec.progress, view: spec.view, ...rest };
}

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
  job("genls.writeDocstring", "Write Docstring", SERVER_COMMAND.docstring, {
    inputs: [],
    needsEditor: true,
    contextMenu: true,
    args: (context) => {
      const editor = editorOf(context);
      return [editor.uri, editor.selection.start.line];
    },
  }),
  job("genls.documentThisFile", "Document All Missing in File", SERVER_COMMAND.documentFile, {
    inputs: [],
    needsEditor: true,
    contextMenu: true,
    args: (context) => [editorOf(context).uri],
  }),
  job("genls.refactorCode", "Refactor with an Instruction…", SERVER_COMMAND.refactor, {
    inputs: [REFACTOR_INSTRUCTION],
    needsEditor: true,
    contextMenu: true,
    args: (context) => {
      const editor = editorOf(context);
      return [editor.uri, editor.selection, context.inputs[0]];
    },
  }),
  job("genls.drawDiagram", "Draw Diagram…", SERVER_COMMAND.diagram, {
    inputs: [
      {
        prompt: "Which diagram? (calls: of the function under the cursor)",
        choices: DIAGRAM_KINDS,
      },
    ],
    contextMenu: true,
    args: ({ inputs, editor }) => [diagramOptions(inputs[0] ?? "", editor)],
  }),
  job("genls.writeChangelog", "Write Changelog", SERVER_COMMAND.changelog, {
    inputs: [],
    // Into CHANGELOG.md, through a WorkspaceEdit (the file opens, unsaved, to review).
    args: () => [{ apply: true }],
  }),
  job("genls.showSymbolHistory", "Show History of This Symbol", SERVER_COMMAND.history, {
    inputs: [],
    needsEditor: true,
    contextMenu: true,
    args: (context) => {
      const editor = editorOf(context);
      return [{ uri: editor.uri, line: editor.selection.start.line }];
    },
  }),
  job("genls.writeCommitMessage", "Write Commit Message", SERVER_COMMAND.commitMessage, {
    inputs: [],
    args: () => [],
  }),
  job("genls.makeImage", "Generate Image…", SERVER_COMMAND.generateImage, {
    inputs: [{ prompt: "Describe the image", placeHolder: "a pixel-art fox, 64x64" }],
    args: ({ inputs }) => [{ prompt: inputs[0] }],
  }),
  job("genls.composeMusic", "Compose Music…", SERVER_COMMAND.generateMusic, {
    inputs: [{ prompt: "Describe the music", placeHolder: "calm folk tune in D minor" }],
    args: ({ inputs }) => [{ prompt: inputs[0] }],
  }),
  job("genls.makeSoundEffect", "Make Sound Effect…", SERVER_COMMAND.generateSfx, {
    inputs: [{ prompt: "Which sound effect?", choices: SFX_KINDS }],
    args: ({ inputs }) => [{ kind: inputs[0] }],
  }),
];

/**
 * Handled by the extension itself: it asks the server's `genls/nextEdit` request, not a
 * server command (nextEditPreview.ts).
 */
export const NEXT_EDIT_COMMAND = { id: "genls.nextEdit", title: "Go to Next Edit" } as const;

/** Handled by the extension itself, not by a server command. */
export const RESTART_COMMAND = { id: "genls.restartServer", title: "Restart Server" } as const;

/** What a click on the status bar item runs. */
export const SHOW_STATUS_COMMAND = "genls.showStatus";
