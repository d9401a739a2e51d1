/**
 * The bundled extension (dist/extension.js) in a fake VS Code window: activation, the real
 * server started through vscode-languageclient, ghost text from its inline completion
 * provider, the accept command, next edits (an inline item that replaces text, and Go to Next
 * Edit's preview), the status bar, and the one message a failed start shows.
 *
 * The fake (fakeVscode.ts) is only as deep as these paths need; what VS Code draws is not
 * checked, what the extension hands it is.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { after, afterEach, before, describe, it } from "node:test";

import { NEXT_EDIT_COMMAND, REFACTOR_PRESETS, SERVER_COMMAND } from "../src/commands";
import {
  ACCEPT_NEXT_EDIT,
  DISMISS_NEXT_EDIT,
  NEXT_EDIT_VISIBLE,
  NO_NEXT_EDIT,
  NO_NEXT_EDIT_MS,
} from "../src/nextEdit";
import { NO_SEARCH_HITS, indexSummaryMessage, missingCommandMessage } from "../src/results";
import { startFailureMessage } from "../src/serverCommand";
import { isServerStatus, type ServerStatus } from "../src/serverTypes";
import {
  CancellationTokenSource,
  InlineCompletionItem,
  InlineCompletionList,
  InlineCompletionTriggerKind,
  Position,
  Range,
  Selection,
  createFakeHost,
  fakeDocument,
  type FakeDecorationType,
  type FakeDocument,
  type FakeHost,
  type FakeTextEditor,
  type ShownMessage,
} from "./fakeVscode";
import { PACKAGE_ROOT } from "./manifest";

const BUNDLE = resolve(PACKAGE_ROOT, "dist", "extension.js");
const GENLS_BIN =
  process.env.GENLS_BIN ?? resolve(PACKAGE_ROOT, "..", "..", ".venv", "bin", "genls");
const TIMEOUT_MS = 60_000;
const SOURCE = "def add(a, b):\n    return ";
const SHAPES =
  "class Shape:\n    def area(self):\n        return 0\n\n\nclass Square(Shape):\n    pass\n";
/** `count` is renamed by hand on line 1: the next uses are on line 2 (near) and 5 (a jump). */
const GEO = [
  "def area(width, height):",
  "    count = width * height",
  '    print("count", count)',
  "    width = abs(width)",
  "    height = abs(height)",
  "    return count",
  "",
].join("\n");

/** `count` renamed by hand in `return count + count`: the next use is on the same line. */
const TWICE = "def double(count):\n    return count + count\n";

interface Extension {
  activate(context: { subscriptions: { dispose(): unknown }[] }): void;
  deactivate(): Promise<void> | undefined;
}

const loader = Module as unknown as {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
};
const originalLoad = loader._load;
let host: FakeHost | undefined;
let extension: Extension | undefined;
let workspace: string;
/** A workspace whose .genls.toml makes the server show no ghost text (next edits instead). */
let nextEditWorkspace: string;

/** A fresh copy of the bundle (it keeps its session in a module variable), activated. */
function activate(
  settings: Record<string, unknown>,
  documents: FakeDocument[] = [],
  folder: string = workspace,
): FakeHost {
  host = createFakeHost(folder, documents, settings);
  delete require.cache[BUNDLE];
  extension = require(BUNDLE) as Extension;
  extension.activate({ subscriptions: [] });
  return host;
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

function statusText(fake: FakeHost): string {
  return fake.statusBarItems[0]?.text ?? "";
}

function shown(fake: FakeHost, severity: ShownMessage["severity"]): string[] {
  return fake.messages.filter((shown) => shown.severity === severity).map(({ message }) => message);
}

const errors = (fake: FakeHost): string[] => shown(fake, "error");
const information = (fake: FakeHost): string[] => shown(fake, "information");
const warnings = (fake: FakeHost): string[] => shown(fake, "warning");

/** [start line, start character, end line, end character]. */
function lines(range: Range | undefined): number[] {
  return range === undefined
    ? []
    : [range.start.line, range.start.character, range.end.line, range.end.character];
}

/** What the editor shows now with the decoration type whose options have `option`. */
function drawn(fake: FakeHost, editor: FakeTextEditor, option: string) {
  const type = fake.decorationTypes.find((each: FakeDecorationType) => option in each.options);
  assert.ok(type, `no decoration type with ${option}`);
  return (editor.decorations.get(type.key) ?? []).map((decoration) => ({
    range: lines(decoration.range),
    text: decoration.renderOptions?.after?.contentText,
  }));
}

function cursorAt(line: number, character: number): Selection {
  return new Selection(new Position(line, character), new Position(line, character));
}

/** Runs genls: Show Status and reads the JSON it wrote to the "genls status" output. */
async function shownStatus(fake: FakeHost): Promise<ServerStatus> {
  await fake.executeCommand("genls.showStatus");
  const output = fake.outputChannels.find(({ name }) => name === "genls status");
  const status: unknown = JSON.parse(output?.text ?? "null");
  assert.ok(isServerStatus(status), `not a status: ${output?.text}`);
  return status;
}

describe("the bundled extension in a fake VS Code", { timeout: 4 * TIMEOUT_MS }, () => {
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), "genls-vscode-host-"));
    writeFileSync(join(workspace, "add.py"), SOURCE);
    writeFileSync(join(workspace, "shapes.py"), SHAPES);
    nextEditWorkspace = mkdtempSync(join(tmpdir(), "genls-vscode-next-edit-"));
    // No ghost text is sure enough (the extension has no setting for this one, the server
    // reads it from the workspace): the inline answer at the cursor is then the next edit.
    writeFileSync(join(nextEditWorkspace, ".genls.toml"), "minTokenProbability = 0.999\n");
    loader._load = function (request, parent, isMain) {
      if (request === "vscode") {
        assert.ok(host, "no fake host");
        return host.module;
      }
      return originalLoad.call(this, request, parent, isMain);
    };
  });

  afterEach(async () => {
    await extension?.deactivate();
    extension = undefined;
    host = undefined;
  });

  after(() => {
    loader._load = originalLoad;
    rmSync(workspace, { recursive: true, force: true });
    rmSync(nextEditWorkspace, { recursive: true, force: true });
  });

  it("shows ghost text whose accept reaches the server, and the status", async () => {
    const pythonFile = fakeDocument(join(workspace, "add.py"), "python", SOURCE);
    const fake = activate(
      {
        "genls.serverPath": GENLS_BIN,
        "genls.model": "smollm2-135m",
        "genls.maxTokens": 16,
        "genls.index": false,
      },
      [pythonFile],
    );
    await waitFor("the status bar to show the model", () =>
      statusText(fake).startsWith("$(sparkle) smollm2-135m · index off"),
    );
    const provider = await waitFor(
      "an inline completion provider",
      () => fake.inlineCompletionProviders[0],
    );
    const result = await provider.provideInlineCompletionItems(
      pythonFile,
      new Position(1, "    return ".length),
      { triggerKind: InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined },
      new CancellationTokenSource().token,
    );
    const items = result instanceof InlineCompletionList ? result.items : result;
    assert.ok(Array.isArray(items) && items.length > 0, `no ghost text: ${JSON.stringify(result)}`);
    const [item] = items as InlineCompletionItem[];
    assert.ok(typeof item?.insertText === "string" && item.insertText.length > 0);
    assert.equal(item.command?.command, SERVER_COMMAND.acceptedCompletion);
    // What VS Code does after an accept: the client registered the server's command.
    await fake.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    await waitFor("the latency in the status bar", () =>
      /^\$\(sparkle\) smollm2-135m · index off · \d/.test(statusText(fake)),
    );

    assert.match((await shownStatus(fake)).model ?? "", /smollm2/i);
    assert.deepEqual(errors(fake), []);
  });

  it("passes the server's replace-range inline item to VS Code, and previews next edits with Go to Next Edit", async () => {
    const folder = nextEditWorkspace;
    const geo = fakeDocument(join(folder, "geo.py"), "python", GEO);
    const untouched = fakeDocument(join(folder, "untouched.py"), "python", GEO);
    const twice = fakeDocument(join(folder, "twice.py"), "python", TWICE);
    const fake = activate(
      {
        "genls.serverPath": GENLS_BIN,
        "genls.model": "smollm2-135m",
        "genls.nextEditModel": "smollm2-135m",
        "genls.threads": 1,
        "genls.index": false,
      },
      [geo, untouched, twice],
      folder,
    );
    await waitFor("the server", () => statusText(fake).startsWith("$(sparkle) smollm2-135m"));
    const uri = geo.uri.toString();
    const editor = fake.showEditor(geo, 1, 4);
    await fake.type(geo, new Range(1, 4, 1, 9), "total"); // didChange sent
    editor.selection = cursorAt(1, 9);

    // VS Code asks the provider vscode-languageclient registered. The next use is on another
    // line, which an inline completion cannot carry (its range stays on the cursor's line).
    const provider = await waitFor(
      "an inline completion provider",
      () => fake.inlineCompletionProviders[0],
    );
    const ask = async (document: typeof geo, position: Position) => {
      const result = await provider.provideInlineCompletionItems(
        document,
        position,
        { triggerKind: InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined },
        new CancellationTokenSource().token,
      );
      return (result instanceof InlineCompletionList ? result.items : result) ?? [];
    };
    assert.deepEqual(await ask(geo, new Position(1, 9)), []);

    // Go to Next Edit (Alt+]): the same edit, near the cursor, previewed where it is.
    await fake.executeCommand(NEXT_EDIT_COMMAND.id);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), true);
    assert.deepEqual(drawn(fake, editor, "textDecoration"), [
      { range: [2, 19, 2, 24], text: undefined },
    ]);
    assert.deepEqual(drawn(fake, editor, "after"), [{ range: [2, 24, 2, 24], text: "total" }]);
    assert.deepEqual(lines(editor.selection), [1, 9, 1, 9]);
    const note = fake.statusBarMessages.at(-1);
    assert.match(note?.text ?? "", /^genls: rename count to total.*Tab accepts/);

    // Tab: one edit (one undo step), the cursor after it, and the server told.
    await fake.executeCommand(ACCEPT_NEXT_EDIT);
    assert.equal(geo.getText().split("\n")[2], '    print("count", total)');
    assert.equal(editor.edits, 1);
    assert.deepEqual(lines(editor.selection), [2, 24, 2, 24]);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), false);
    assert.deepEqual(drawn(fake, editor, "textDecoration"), []);
    assert.deepEqual(drawn(fake, editor, "after"), []);
    assert.equal(note?.disposed, true);
    const told = fake.executed.filter(({ id }) => id === SERVER_COMMAND.acceptedNextEdit);
    assert.deepEqual(told, [{ id: SERVER_COMMAND.acceptedNextEdit, args: [uri] }]);

    // The accepted edit was a rename too: the last use, three lines down, is a jump.
    await fake.executeCommand(NEXT_EDIT_COMMAND.id);
    assert.deepEqual(lines(editor.selection), [5, 11, 5, 11]);
    assert.deepEqual(lines(editor.revealed.at(-1)), [5, 11, 5, 16]);
    assert.deepEqual(drawn(fake, editor, "textDecoration"), [
      { range: [5, 11, 5, 16], text: undefined },
    ]);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), true);

    // Escape, a move of the cursor away, and typing each take the preview away.
    await fake.executeCommand(DISMISS_NEXT_EDIT);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), false);
    assert.deepEqual(drawn(fake, editor, "textDecoration"), []);
    await fake.executeCommand(NEXT_EDIT_COMMAND.id);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), true);
    editor.selection = cursorAt(0, 0);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), false);
    assert.deepEqual(drawn(fake, editor, "after"), []);
    await fake.executeCommand(NEXT_EDIT_COMMAND.id);
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), true);
    assert.deepEqual(lines(editor.selection), [5, 11, 5, 11]); // jumped from line 0
    await fake.type(geo, new Range(5, 4, 5, 4), "x = 1\n    ");
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), false);
    assert.deepEqual(drawn(fake, editor, "textDecoration"), []);
    assert.equal(editor.edits, 1); // nothing was applied but the accepted edit

    // On the cursor's line, the next edit is an inline item that replaces the old name.
    const twiceEditor = fake.showEditor(twice, 1, 11);
    await fake.type(twice, new Range(1, 11, 1, 16), "total");
    twiceEditor.selection = cursorAt(1, 16);
    const items = (await ask(twice, new Position(1, 16))) as InlineCompletionItem[];
    assert.ok(Array.isArray(items) && items.length === 1, JSON.stringify(items));
    const [item] = items;
    assert.equal(item?.insertText, "total");
    assert.ok(item.range instanceof Range, "no replace range");
    assert.deepEqual(lines(item.range), [1, 19, 1, 24]);
    assert.equal(twice.getText(item.range), "count");
    assert.equal(item.command?.command, SERVER_COMMAND.acceptedNextEdit);
    assert.deepEqual(item.command.arguments, [twice.uri.toString()]);
    // VS Code runs it after the accept: the client registered it from the server's commands.
    assert.ok(fake.hasCommand(SERVER_COMMAND.acceptedNextEdit));

    // A file with no edits yet: nothing to suggest, said in the status bar.
    fake.showEditor(untouched, 1, 9);
    await fake.executeCommand(NEXT_EDIT_COMMAND.id);
    assert.deepEqual(fake.statusBarMessages.at(-1), {
      text: NO_NEXT_EDIT,
      hideAfterMs: NO_NEXT_EDIT_MS,
      disposed: false,
    });
    assert.equal(fake.contextKeys.get(NEXT_EDIT_VISIBLE), false);
    assert.deepEqual(errors(fake), []);
    assert.doesNotMatch(
      fake.outputChannels.find(({ name }) => name === "genls")?.text ?? "",
      /after a next edit/,
    );
  });

  it("tells the server where the cursor comes to rest, and the server prefills there", async () => {
    const pythonFile = fakeDocument(join(workspace, "add.py"), "python", SOURCE);
    const fake = activate(
      { "genls.serverPath": GENLS_BIN, "genls.model": "smollm2-135m", "genls.index": false },
      [pythonFile],
    );
    await waitFor("the status bar to show the model", () =>
      statusText(fake).startsWith("$(sparkle) smollm2-135m · index off"),
    );
    const offset = "def add(".length; // didOpen prewarms at the end of the file, not here
    fake.moveCursor(pythonFile, 0, offset);
    const prewarm = await waitFor("a prewarm where the cursor rests", async () => {
      const last = (await shownStatus(fake)).lastPrewarm;
      return last?.offset === offset ? last : undefined;
    });
    assert.match(prewarm.path, /add\.py$/);
    assert.deepEqual(errors(fake), []);
  });

  it("sends changed settings, runs the palette commands, and offers a restart for an unset one", async () => {
    const fake = activate({
      "genls.serverPath": GENLS_BIN,
      "genls.model": "smollm2-135m",
      "genls.maxTokens": 16,
      "genls.index": false,
    });
    await waitFor("the server", () => statusText(fake).startsWith("$(sparkle) smollm2-135m"));
    fake.changeSettings({ "genls.maxTokens": 8 });
    await waitFor(
      "maxTokens 8 on the server",
      async () => (await shownStatus(fake)).settings.maxTokens === 8,
    );

    fake.inputAnswers.push("add two numbers");
    await fake.executeCommand("genls.searchWorkspace");
    await fake.executeCommand("genls.reindexWorkspace");
    assert.deepEqual(information(fake), [NO_SEARCH_HITS, indexSummaryMessage(null)]);

    fake.changeSettings({ "genls.maxTokens": undefined });
    await waitFor("the restart offer", () => information(fake).length === 3);
    assert.match(information(fake)[2] ?? "", /genls\.maxTokens until it restarts/);
    assert.deepEqual(errors(fake), []);
  });

  it("runs code actions' and the palette's jobs: asks a refactor's instruction, opens diagrams, names a missing command", async () => {
    const shapes = fakeDocument(join(workspace, "shapes.py"), "python", SHAPES);
    const fake = activate(
      {
        "genls.serverPath": GENLS_BIN,
        "genls.model": "smollm2-135m",
        "genls.index": false,
        "genls.diagramFolder": "out/diagrams",
      },
      [shapes],
    );
    await waitFor("the server", () => statusText(fake).startsWith("$(sparkle) smollm2-135m"));
    const uri = shapes.uri.toString();

    // "Refactor with an instruction…": VS Code runs the action's command as the client
    // registered it; the middleware asks, and Escape sends nothing.
    const range = { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } };
    assert.equal(await fake.executeCommand(SERVER_COMMAND.refactor, uri, range), undefined);
    assert.deepEqual(fake.quickPicks, [[...REFACTOR_PRESETS, "$(edit) Type your own…"]]);
    // The server's own question (window/showMessageRequest) would show as a message.
    assert.deepEqual(fake.messages, []);

    // A diagram code lens: the file is written (workspace/applyEdit) and opened.
    const lens = { kind: "classes", uri };
    const answer = (await fake.executeCommand(SERVER_COMMAND.diagram, lens)) as { uri: string };
    const written = join(workspace, "out", "diagrams", "classes-shapes.py.mmd");
    assert.equal(answer.uri, pathToFileURL(written).href);
    assert.deepEqual(fake.opened, [answer.uri]);
    assert.match(readFileSync(written, "utf8"), /classDiagram[\s\S]*Square/);
    assert.deepEqual(information(fake), ["genls: Diagram: out/diagrams/classes-shapes.py.mmd."]);

    // The palette's Draw Diagram, without an open editor: the workspace's imports.
    fake.quickPickAnswers.push("imports");
    await fake.executeCommand("genls.drawDiagram");
    assert.equal(fake.opened.length, 2);
    assert.ok(existsSync(join(workspace, "out", "diagrams", "imports.mmd")), fake.opened[1]);

    // Write Changelog: the server's WorkspaceEdit creates CHANGELOG.md, which opens.
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
        cwd: workspace,
      });
    git("init", "-q");
    git("add", "shapes.py");
    git("commit", "-q", "-m", "feat: add shapes");
    await fake.executeCommand("genls.writeChangelog");
    const changelog = join(workspace, "CHANGELOG.md");
    assert.equal(fake.opened[2], pathToFileURL(changelog).href);
    assert.match(readFileSync(changelog, "utf8"), /## \[Unreleased\][\s\S]*- add shapes \(/);
    assert.equal(information(fake).at(-1), "genls: Write Changelog: CHANGELOG.md.");

    // A command this server may lack (an older genls): said before any prompt is asked.
    if (!fake.hasCommand(SERVER_COMMAND.generateImage)) {
      fake.inputAnswers.push("a red fox");
      await fake.executeCommand("genls.makeImage");
      assert.deepEqual(errors(fake), [missingCommandMessage(SERVER_COMMAND.generateImage)]);
      assert.deepEqual(fake.inputAnswers, ["a red fox"]);
    } else {
      assert.deepEqual(errors(fake), []);
    }
    assert.deepEqual(warnings(fake), []);
  });

  it("says in one message what to configure when genls is not found", async () => {
    const fake = activate({ "genls.serverPath": "/nonexistent/genls" });
    await waitFor("an error message", () => errors(fake).length > 0);
    await new Promise((done) => setTimeout(done, 500)); // a second message would come now
    const expected = startFailureMessage(
      { command: "/nonexistent/genls", args: ["serve"], origin: "serverPath" },
      { kind: "notFound" },
    );
    assert.deepEqual(errors(fake), [expected]);
    assert.equal(statusText(fake), "$(circle-slash) genls");
  });

  it("quotes the server's last words in one message when it exits while starting", async () => {
    const script = join(workspace, "broken-genls");
    writeFileSync(
      script,
      "#!/bin/sh\necho 'Traceback ...' >&2\necho 'genls: no model' >&2\nexit 2\n",
    );
    chmodSync(script, 0o755);
    const fake = activate({ "genls.serverPath": script });
    await waitFor("an error message", () => errors(fake).length > 0);
    await new Promise((done) => setTimeout(done, 500));
    assert.deepEqual(errors(fake), [
      'genls stopped while starting (exit code 2): genls: no model. The full log is in the "genls" output.',
    ]);
    assert.equal(statusText(fake), "$(circle-slash) genls");
  });
});
