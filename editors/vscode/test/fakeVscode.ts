/**
 * A stand-in for the `vscode` module, with just enough of the API for the bundled extension
 * and vscode-languageclient to activate, start the real server and serve one document.
 * It records what a person would see (messages, the status bar, output) and keeps the
 * providers and commands registered, so a test can call them the way VS Code would.
 *
 * Namespace members it does not implement: `on...` events never fire, `register...`
 * providers are accepted and ignored, anything else is undefined. The enums that only
 * untested features read have each member stand for its own name.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

type Listener<T> = (value: T) => unknown;

export class Disposable {
  constructor(private readonly callOnDispose: () => unknown = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  /** As VS Code's: `thisArgs` is the listener's `this` (vscode-languageclient passes one). */
  readonly event = (listener: Listener<T>, thisArgs?: unknown): Disposable => {
    const bound: Listener<T> = (value) => listener.call(thisArgs, value);
    this.listeners.push(bound);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((item) => item !== bound);
    });
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  /** Fires and waits for what the listeners started (the client sending a notification). */
  async fireAndWait(value: T): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener(value)));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(private readonly url: URL) {}
  static parse(value: string): Uri {
    return new Uri(new URL(value));
  }
  static file(path: string): Uri {
    return new Uri(pathToFileURL(path));
  }
  get scheme(): string {
    return this.url.protocol.replace(/:$/, "");
  }
  get fsPath(): string {
    return fileURLToPath(this.url);
  }
  get path(): string {
    return this.url.pathname;
  }
  toString(): string {
    return this.url.href;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(...args: [Position, Position] | [number, number, number, number]) {
    if (args.length === 2) {
      [this.start, this.end] = args;
    } else {
      this.start = new Position(args[0], args[1]);
      this.end = new Position(args[2], args[3]);
    }
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
  get isEmpty(): boolean {
    return this.anchor.line === this.active.line && this.anchor.character === this.active.character;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export enum TextEditorRevealType {
  Default = 0,
  InCenter = 1,
  InCenterIfOutsideViewport = 2,
  AtTop = 3,
}

/** Hierarchical kinds: vscode-languageclient builds the server's codeActionKinds with append. */
export class CodeActionKind {
  static readonly Empty = new CodeActionKind("");
  static readonly QuickFix = new CodeActionKind("quickfix");
  static readonly Refactor = new CodeActionKind("refactor");
  static readonly RefactorExtract = new CodeActionKind("refactor.extract");
  static readonly RefactorInline = new CodeActionKind("refactor.inline");
  static readonly RefactorMove = new CodeActionKind("refactor.move");
  static readonly RefactorRewrite = new CodeActionKind("refactor.rewrite");
  static readonly Source = new CodeActionKind("source");
  static readonly SourceOrganizeImports = new CodeActionKind("source.organizeImports");
  static readonly SourceFixAll = new CodeActionKind("source.fixAll");
  static readonly Notebook = new CodeActionKind("notebook");
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return (
      this.value === "" || other.value === this.value || other.value.startsWith(`${this.value}.`)
    );
  }
  intersects(other: CodeActionKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export class TextEdit {
  constructor(
    readonly range: Range,
    readonly newText: string,
  ) {}
}

/**
 * What vscode-languageclient builds from the server's workspace/applyEdit; applied by the
 * fake's workspace.applyEdit to the files on disk (the fake has no editor buffers).
 */
export class WorkspaceEdit {
  readonly operations: (
    | { readonly kind: "create"; readonly uri: Uri }
    | { readonly kind: "edit"; readonly uri: Uri; readonly edits: TextEdit[] }
  )[] = [];
  createFile(uri: Uri): void {
    this.operations.push({ kind: "create", uri });
  }
  set(uri: Uri, edits: (TextEdit | [TextEdit, unknown])[]): void {
    const plain = edits.map((edit) => (Array.isArray(edit) ? edit[0] : edit));
    this.operations.push({ kind: "edit", uri, edits: plain });
  }
}

function offsetAt(text: string, position: Position): number {
  const lines = text.split("\n");
  let offset = 0;
  for (let line = 0; line < position.line && line < lines.length; line++) {
    offset += (lines[line]?.length ?? 0) + 1;
  }
  return Math.min(offset + position.character, text.length);
}

function applyToDisk(edit: WorkspaceEdit): boolean {
  for (const operation of edit.operations) {
    const path = operation.uri.fsPath;
    if (operation.kind === "create") {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "");
      continue;
    }
    let text = readFileSync(path, "utf8");
    // Last edit first, so earlier offsets stay valid.
    const edits = [...operation.edits].sort(
      (a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start),
    );
    for (const { range, newText } of edits) {
      text =
        text.slice(0, offsetAt(text, range.start)) +
        newText +
        text.slice(offsetAt(text, range.end));
    }
    writeFileSync(path, text);
  }
  return true;
}

export class SnippetString {
  constructor(readonly value: string) {}
}

export interface FakeCommand {
  readonly title: string;
  readonly command: string;
  readonly arguments?: unknown[];
}

export class InlineCompletionItem {
  constructor(
    readonly insertText: string | SnippetString,
    readonly range?: Range,
    readonly command?: FakeCommand,
  ) {}
}

export class InlineCompletionList {
  constructor(readonly items: InlineCompletionItem[]) {}
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
  private readonly cancelled = new EventEmitter<void>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.cancelled.event,
  };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.cancelled.fire();
  }
  dispose(): void {
    this.cancelled.dispose();
  }
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum LogLevel {
  Off = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warning = 4,
  Error = 5,
}

export enum InlineCompletionTriggerKind {
  Invoke = 0,
  Automatic = 1,
}

/** A document as VS Code's workspace.textDocuments holds it; edits change it in memory. */
export class FakeDocument {
  readonly uri: Uri;
  readonly isClosed = false;
  private currentVersion = 1;

  constructor(
    readonly fileName: string,
    readonly languageId: string,
    private text: string,
  ) {
    this.uri = Uri.file(fileName);
  }

  get version(): number {
    return this.currentVersion;
  }

  getText(range?: Range): string {
    return range === undefined
      ? this.text
      : this.text.slice(offsetAt(this.text, range.start), offsetAt(this.text, range.end));
  }

  /** Replaces `range` and returns the change as onDidChangeTextDocument reports it. */
  replace(range: Range, text: string): FakeContentChange {
    const start = offsetAt(this.text, range.start);
    const end = offsetAt(this.text, range.end);
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.currentVersion += 1;
    return { range, rangeOffset: start, rangeLength: end - start, text };
  }
}

export function fakeDocument(path: string, languageId: string, text: string): FakeDocument {
  return new FakeDocument(path, languageId, text);
}

export interface FakeContentChange {
  readonly range: Range;
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

export interface FakeDecorationType {
  readonly key: string;
  readonly options: Record<string, unknown>;
  dispose(): void;
}

/** What one setDecorations call drew with one decoration type. */
export interface FakeDecoration {
  readonly range: Range;
  readonly hoverMessage?: unknown;
  readonly renderOptions?: { readonly after?: { readonly contentText?: string } };
}

/**
 * An editor on a FakeDocument: its cursor (setting it fires onDidChangeTextEditorSelection),
 * its decorations by type, the ranges revealed, and edit() applied to the document.
 */
export interface FakeTextEditor {
  readonly document: FakeDocument;
  selection: Selection;
  readonly selections: readonly Selection[];
  /** The decorations shown now, by decoration type key. */
  readonly decorations: Map<string, readonly FakeDecoration[]>;
  readonly revealed: Range[];
  /** How many edit() calls applied: each is one undo step in VS Code. */
  readonly edits: number;
  setDecorations(type: FakeDecorationType, decorations: readonly (FakeDecoration | Range)[]): void;
  revealRange(range: Range, type?: TextEditorRevealType): void;
  edit(
    callback: (builder: {
      replace(range: Range, text: string): void;
      insert(position: Position, text: string): void;
      delete(range: Range): void;
    }) => void,
  ): Promise<boolean>;
}

/** A status bar note (window.setStatusBarMessage), and whether it has been taken away. */
export interface FakeStatusBarMessage {
  readonly text: string;
  readonly hideAfterMs: number | undefined;
  disposed: boolean;
}

export interface FakeOutputChannel {
  readonly name: string;
  text: string;
}

export interface FakeStatusBarItem {
  text: string;
  tooltip: string | undefined;
  command: string | undefined;
}

export interface ShownMessage {
  readonly severity: "error" | "warning" | "information";
  readonly message: string;
}

/** Everything one fake VS Code window holds; `module` is what `require("vscode")` returns. */
export interface FakeHost {
  readonly module: Record<string, unknown>;
  readonly messages: ShownMessage[];
  readonly statusBarItems: FakeStatusBarItem[];
  readonly outputChannels: FakeOutputChannel[];
  readonly inlineCompletionProviders: {
    provideInlineCompletionItems(...args: unknown[]): Promise<unknown>;
  }[];
  /** Answers for the next input boxes, in order; an input box with none left is cancelled. */
  readonly inputAnswers: string[];
  /** Answers (labels) for the next quick picks; a quick pick with none left is cancelled. */
  readonly quickPickAnswers: string[];
  /** The items of each quick pick shown, in order. */
  readonly quickPicks: string[][];
  /** What `vscode.open` and showTextDocument opened: URIs, or `untitled:<language>`. */
  readonly opened: string[];
  /** The untitled documents opened, with their text. */
  readonly untitled: { readonly language: string; readonly content: string }[];
  /** Whether a command is registered (the client registers the server's commands). */
  hasCommand(id: string): boolean;
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
  /** What the user does in settings.json: the extension hears onDidChangeConfiguration. */
  changeSettings(values: Record<string, unknown>): void;
  /** The user puts the cursor here (a click or an arrow key, no edit). */
  moveCursor(document: FakeDocument, line: number, character: number): void;
  /** Opens an editor on `document` with the cursor here; it becomes the active editor. */
  showEditor(document: FakeDocument, line: number, character: number): FakeTextEditor;
  /**
   * The user types: `text` replaces `range`. Resolves once the listeners have done their part
   * (vscode-languageclient has sent didChange).
   */
  type(document: FakeDocument, range: Range, text: string): Promise<void>;
  /** Every command run through commands.executeCommand, by the extension or a test. */
  readonly executed: { readonly id: string; readonly args: readonly unknown[] }[];
  /** Context keys set with the `setContext` command. */
  readonly contextKeys: Map<string, unknown>;
  readonly statusBarMessages: FakeStatusBarMessage[];
  readonly decorationTypes: FakeDecorationType[];
}

const noEvent = (): Disposable => new Disposable();

/** Classes vscode-languageclient extends when it loads; the tested paths never create them. */
const EXTENDED_ONLY = [
  "CallHierarchyItem",
  "CodeAction",
  "CodeLens",
  "CompletionItem",
  "Diagnostic",
  "DocumentLink",
  "InlayHint",
  "SymbolInformation",
  "TypeHierarchyItem",
];

/**
 * Enums vscode-languageclient reads (some when it starts) on paths these tests do not take.
 * Listed, not conjured by a Proxy: the client copies the module's own keys when it imports it.
 */
const NAMED_ENUMS = [
  "CodeActionTriggerKind",
  "CompletionItemKind",
  "CompletionItemTag",
  "CompletionTriggerKind",
  "DiagnosticSeverity",
  "DiagnosticTag",
  "DocumentHighlightKind",
  "FileType",
  "FoldingRangeKind",
  "NotebookCellKind",
  "SignatureHelpTriggerKind",
  "SymbolKind",
  "SymbolTag",
  "TextDocumentSaveReason",
];

/** `Enum.Member` -> "Enum.Member". */
function nameEnum(name: string): Record<string, string> {
  return new Proxy({}, { get: (_target, member) => `${name}.${String(member)}` });
}

/** Unknown `on...` members are events that never fire; unknown `register...` are accepted. */
function namespace(members: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(members, {
    get(target, name) {
      if (typeof name === "string" && !(name in target)) {
        if (/^on[A-Z]/.test(name)) {
          return noEvent;
        }
        if (/^register[A-Z]/.test(name) || name === "createDiagnosticCollection") {
          return () => new Disposable();
        }
      }
      return Reflect.get(target, name);
    },
  });
}

function outputChannel(name: string, channels: FakeOutputChannel[]): FakeOutputChannel {
  const channel = {
    name,
    text: "",
    logLevel: LogLevel.Info,
    onDidChangeLogLevel: noEvent,
    append(value: string) {
      channel.text += value;
    },
    appendLine(value: string) {
      channel.text += `${value}\n`;
    },
    replace(value: string) {
      channel.text = value;
    },
    clear() {
      channel.text = "";
    },
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
  };
  for (const level of ["trace", "debug", "info", "warn", "error"]) {
    Object.assign(channel, { [level]: (message: string) => channel.appendLine(message) });
  }
  channels.push(channel);
  return channel;
}

/** A fake window with one workspace folder, these open documents and these user settings. */
export function createFakeHost(
  folder: string,
  documents: readonly FakeDocument[],
  settings: Record<string, unknown>,
): FakeHost {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const messages: ShownMessage[] = [];
  const statusBarItems: FakeStatusBarItem[] = [];
  const outputChannels: FakeOutputChannel[] = [];
  const inlineCompletionProviders: FakeHost["inlineCompletionProviders"] = [];
  const show =
    (severity: ShownMessage["severity"]) =>
    async (message: string): Promise<undefined> => {
      messages.push({ severity, message });
      return undefined; // the user dismisses it
    };
  const executed: FakeHost["executed"] = [];
  const contextKeys = new Map<string, unknown>();
  const executeCommand = async (id: string, ...args: unknown[]): Promise<unknown> => {
    executed.push({ id, args });
    const command = commands.get(id);
    if (command === undefined) {
      throw new Error(`command '${id}' not found`);
    }
    return command(...args);
  };

  const inputAnswers: string[] = [];
  const quickPickAnswers: string[] = [];
  const quickPicks: string[][] = [];
  const opened: string[] = [];
  const untitled: FakeHost["untitled"] = [];
  commands.set("vscode.open", (uri: unknown) => {
    opened.push(String(uri));
  });
  commands.set("workbench.view.scm", () => undefined);
  commands.set("setContext", (key: unknown, value: unknown) => {
    contextKeys.set(String(key), value);
  });
  const configurationChanged = new EventEmitter<{
    affectsConfiguration(section: string): boolean;
  }>();
  const changeSettings = (values: Record<string, unknown>): void => {
    Object.assign(settings, values);
    const changed = Object.keys(values);
    configurationChanged.fire({
      affectsConfiguration: (section) =>
        changed.some((key) => key === section || key.startsWith(`${section}.`)),
    });
  };

  const selectionChanged = new EventEmitter<{
    textEditor: unknown;
    selections: readonly Selection[];
  }>();
  const moveCursor = (document: FakeDocument, line: number, character: number): void => {
    const active = new Position(line, character);
    const selection = new Selection(active, active);
    selectionChanged.fire({
      textEditor: { document, selection, selections: [selection] },
      selections: [selection],
    });
  };

  const documentChanged = new EventEmitter<{
    document: FakeDocument;
    contentChanges: readonly FakeContentChange[];
    reason: undefined;
  }>();
  const activeEditorChanged = new EventEmitter<FakeTextEditor | undefined>();
  const statusBarMessages: FakeStatusBarMessage[] = [];
  const decorationTypes: FakeDecorationType[] = [];
  const editors: FakeTextEditor[] = [];

  const showEditor = (document: FakeDocument, line: number, character: number): FakeTextEditor => {
    let selection = new Selection(new Position(line, character), new Position(line, character));
    let edits = 0;
    const editor: FakeTextEditor = {
      document,
      get selection() {
        return selection;
      },
      set selection(value: Selection) {
        selection = value;
        selectionChanged.fire({ textEditor: editor, selections: [value] });
      },
      get selections() {
        return [selection];
      },
      decorations: new Map(),
      revealed: [],
      get edits() {
        return edits;
      },
      setDecorations(type, decorations) {
        const plain = decorations.map((entry) =>
          entry instanceof Range ? { range: entry } : entry,
        );
        editor.decorations.set(type.key, plain);
      },
      revealRange(range) {
        editor.revealed.push(range);
      },
      async edit(callback) {
        const replacements: [Range, string][] = [];
        callback({
          replace: (range, text) => replacements.push([range, text]),
          insert: (position, text) => replacements.push([new Range(position, position), text]),
          delete: (range) => replacements.push([range, ""]),
        });
        // Last first, so that earlier ranges stay valid; one event, as VS Code sends it.
        const ordered = replacements.sort(
          ([a], [b]) =>
            offsetAt(document.getText(), b.start) - offsetAt(document.getText(), a.start),
        );
        const contentChanges = ordered.map(([range, text]) => document.replace(range, text));
        edits += 1;
        // VS Code resolves edit() after the event was dispatched, not after its listeners'
        // async work: the client's didChange is still on its way.
        documentChanged.fire({ document, contentChanges, reason: undefined });
        return true;
      },
    };
    editors.push(editor);
    window.activeTextEditor = editor;
    window.visibleTextEditors = [...editors];
    activeEditorChanged.fire(editor);
    return editor;
  };

  const type = async (document: FakeDocument, range: Range, text: string): Promise<void> => {
    const change = document.replace(range, text);
    await documentChanged.fireAndWait({ document, contentChanges: [change], reason: undefined });
  };

  const workspace = namespace({
    onDidChangeConfiguration: configurationChanged.event,
    onDidChangeTextDocument: documentChanged.event,
    workspaceFolders: [{ uri: Uri.file(folder), name: "workspace", index: 0 }],
    textDocuments: documents,
    notebookDocuments: [],
    getConfiguration: (section: string) => ({
      get: (key: string, fallback?: unknown) => settings[`${section}.${key}`] ?? fallback,
      has: (key: string) => `${section}.${key}` in settings,
      inspect: (key: string) => ({ key, globalValue: settings[`${section}.${key}`] }),
    }),
    applyEdit: async (edit: WorkspaceEdit) => applyToDisk(edit),
    asRelativePath: (uri: Uri) =>
      uri.fsPath.startsWith(`${folder}/`) ? uri.fsPath.slice(folder.length + 1) : uri.fsPath,
    openTextDocument: async ({ content, language }: { content: string; language: string }) => {
      untitled.push({ language, content });
      return { uri: { toString: () => `untitled:${language}` } };
    },
    createFileSystemWatcher: () => ({
      onDidCreate: noEvent,
      onDidChange: noEvent,
      onDidDelete: noEvent,
      dispose: () => undefined,
    }),
  });
  const windowMembers: Record<string, unknown> = {
    onDidChangeTextEditorSelection: selectionChanged.event,
    onDidChangeActiveTextEditor: activeEditorChanged.event,
    activeTextEditor: undefined,
    visibleTextEditors: [],
    createTextEditorDecorationType: (options: Record<string, unknown>) => {
      const type: FakeDecorationType = {
        key: `decoration-${decorationTypes.length}`,
        options,
        dispose: () => undefined,
      };
      decorationTypes.push(type);
      return type;
    },
    setStatusBarMessage: (text: string, hideAfterMs?: number) => {
      const message: FakeStatusBarMessage = { text, hideAfterMs, disposed: false };
      statusBarMessages.push(message);
      return new Disposable(() => (message.disposed = true));
    },
    tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
    createOutputChannel: (name: string) => outputChannel(name, outputChannels),
    createStatusBarItem: () => {
      const item = {
        text: "",
        tooltip: undefined,
        command: undefined,
        name: "",
        show: () => undefined,
        dispose: () => undefined,
      };
      statusBarItems.push(item);
      return item;
    },
    showErrorMessage: show("error"),
    showWarningMessage: show("warning"),
    showInformationMessage: show("information"),
    showInputBox: async () => inputAnswers.shift(),
    showQuickPick: async (items: (string | { label: string })[]) => {
      const labels = items.map((item) => (typeof item === "string" ? item : item.label));
      quickPicks.push(labels);
      const answer = quickPickAnswers.shift();
      return items[labels.findIndex((label) => label === answer)];
    },
    showTextDocument: async (document: { uri: { toString(): string } } | Uri) => {
      opened.push(document instanceof Uri ? document.toString() : document.uri.toString());
    },
    withProgress: (_options: unknown, task: (progress: unknown, token: unknown) => unknown) =>
      task({ report: () => undefined }, new CancellationTokenSource().token),
  };
  const window = namespace(windowMembers);
  const languages = namespace({
    // vscode-languageclient filters documents with its selector: scheme and language only.
    match: (selector: { scheme?: string; language?: string }[], document: FakeDocument) =>
      selector.some(
        (filter) =>
          (filter.scheme === undefined || filter.scheme === document.uri.scheme) &&
          (filter.language === undefined || filter.language === document.languageId),
      )
        ? 10
        : 0,
    registerInlineCompletionItemProvider: (
      _selector: unknown,
      provider: FakeHost["inlineCompletionProviders"][number],
    ) => {
      inlineCompletionProviders.push(provider);
      return new Disposable(() => {
        inlineCompletionProviders.splice(inlineCompletionProviders.indexOf(provider), 1);
      });
    },
  });
  const vscodeCommands = namespace({
    registerCommand: (id: string, callback: (...args: unknown[]) => unknown) => {
      if (commands.has(id)) {
        throw new Error(`command '${id}' already exists`);
      }
      commands.set(id, callback);
      return new Disposable(() => commands.delete(id));
    },
    executeCommand,
  });

  const module: Record<string, unknown> = {
    version: "1.91.0",
    // No git extension: a commit message goes to a document.
    extensions: namespace({ getExtension: () => undefined, all: [] }),
    env: { appName: "fake VS Code", language: "en", openExternal: async () => false },
    workspace,
    window,
    languages,
    commands: vscodeCommands,
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection,
    ThemeColor,
    TextEditorRevealType,
    SnippetString,
    CodeActionKind,
    TextEdit,
    WorkspaceEdit,
    InlineCompletionItem,
    InlineCompletionList,
    CancellationError,
    CancellationTokenSource,
    ProgressLocation,
    StatusBarAlignment,
    LogLevel,
    InlineCompletionTriggerKind,
    ...Object.fromEntries(EXTENDED_ONLY.map((name) => [name, class {}])),
    ...Object.fromEntries(NAMED_ENUMS.map((name) => [name, nameEnum(name)])),
  };
  return {
    module,
    messages,
    statusBarItems,
    outputChannels,
    inlineCompletionProviders,
    inputAnswers,
    quickPickAnswers,
    quickPicks,
    opened,
    untitled,
    moveCursor,
    showEditor,
    type,
    executed,
    contextKeys,
    statusBarMessages,
    decorationTypes,
    hasCommand: (id) => commands.has(id),
    executeCommand,
    changeSettings,
  };
}
