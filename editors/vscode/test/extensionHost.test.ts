/**
 * The bundled extension (dist/extension.js) in a fake VS Code window: activation, the real
 * server started through vscode-languageclient, ghost text from its inline completion
 * provider, the accept command, the status bar, and the one message a failed start shows.
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

import { REFACTOR_PRESETS, SERVER_COMMAND } from "../src/commands";
import { NO_SEARCH_HITS, indexSummaryMessage, missingCommandMessage } from "../src/results";
import { startFailureMessage } from "../src/serverCommand";
import { isServerStatus, type ServerStatus } from "../src/serverTypes";
import {
  CancellationTokenSource,
  InlineCompletionItem,
  InlineCompletionList,
  InlineCompletionTriggerKind,
  Position,
  createFakeHost,
  fakeDocument,
  type FakeDocument,
  type FakeHost,
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

/** A fresh copy of the bundle (it keeps its session in a module variable), activated. */
function activate(settings: Record<string, unknown>, documents: FakeDocument[] = []): FakeHost {
  host = createFakeHost(workspace, documents, settings);
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
