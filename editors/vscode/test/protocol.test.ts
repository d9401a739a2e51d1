/**
 * The extension's protocol path against the real server: vscode-languageclient speaks
 * vscode-languageserver-protocol over vscode-jsonrpc, and so does this test, with the
 * initializationOptions built by the extension's own settings module and the tiny model.
 * VS Code itself cannot run here; this is the closest real peer.
 *
 * GENLS_BIN chooses the server (default: the repository's .venv/bin/genls).
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

import { StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  MessageType,
  RegistrationRequest,
  ShowMessageNotification,
  ShutdownRequest,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
  type InitializeResult,
  type InlineCompletionItem,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";

import { SERVER_COMMAND } from "../src/commands";
import { isFileAnswer, isServerStatus, type ServerStatus } from "../src/serverTypes";
import {
  SERVER_SETTINGS,
  explicitServerSettings,
  settingsPayload,
  type GenlsSettings,
} from "../src/settings";
import { statusBarView } from "../src/statusText";
import { PACKAGE_ROOT, contributedSettings } from "./manifest";

/**
 * Settings of server branches not merged into this server yet: their package.json defaults
 * are checked once the server reports them.
 */
const NEWER_SERVER_SETTINGS = new Set(["historyCodeLens", "assetFolder"]);
/** The commands this server must have; newer ones (commitMessage, ...) are checked at run time. */
const REQUIRED_COMMANDS = [
  SERVER_COMMAND.status,
  SERVER_COMMAND.search,
  SERVER_COMMAND.index,
  SERVER_COMMAND.acceptedCompletion,
  SERVER_COMMAND.docstring,
  SERVER_COMMAND.documentFile,
  SERVER_COMMAND.refactor,
  SERVER_COMMAND.diagram,
];

const GENLS_BIN =
  process.env.GENLS_BIN ?? resolve(PACKAGE_ROOT, "..", "..", ".venv", "bin", "genls");
const TIMEOUT_MS = 60_000;
const SOURCE = "def add(a, b):\n    return ";
/** What a user would put in settings.json; the settings module turns it into options. */
const USER_SETTINGS: Record<string, unknown> = {
  model: "smollm2-135m",
  maxTokens: 16,
  index: false,
  threads: 0, // "automatic": must not be sent
  serverPath: GENLS_BIN, // client-only: must not be sent
};

describe(
  "the extension's protocol path against the real server",
  { timeout: 4 * TIMEOUT_MS },
  () => {
    let server: ChildProcess;
    let connection: ProtocolConnection;
    let workspace: string;
    let initializeResult: InitializeResult;
    let stderr = "";
    const errorsShown: string[] = [];
    const sent: GenlsSettings = explicitServerSettings((key) => ({
      globalValue: USER_SETTINGS[key],
    }));
    const documentUri = () => pathToFileURL(join(workspace, "add.py")).href;

    async function status(): Promise<ServerStatus> {
      const result: unknown = await connection.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_COMMAND.status,
        arguments: [],
      });
      assert.ok(isServerStatus(result), `not a status: ${JSON.stringify(result)}`);
      return result;
    }

    before(async () => {
      assert.ok(
        existsSync(GENLS_BIN),
        `genls not found at ${GENLS_BIN}: run \`make setup\` in the repository, or set GENLS_BIN`,
      );
      workspace = mkdtempSync(join(tmpdir(), "genls-vscode-"));
      writeFileSync(join(workspace, "add.py"), SOURCE);
      server = spawn(GENLS_BIN, ["serve"], { cwd: workspace, stdio: ["pipe", "pipe", "pipe"] });
      server.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-8000);
      });
      assert.ok(server.stdout && server.stdin);
      connection = createProtocolConnection(
        new StreamMessageReader(server.stdout),
        new StreamMessageWriter(server.stdin),
      );
      // What vscode-languageclient answers to the server's requests.
      connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
      connection.onRequest(RegistrationRequest.type, () => undefined);
      connection.onNotification(ShowMessageNotification.type, ({ type, message }) => {
        if (type === MessageType.Error) {
          errorsShown.push(message);
        }
      });
      connection.listen();
      initializeResult = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: pathToFileURL(workspace).href,
        capabilities: {
          textDocument: { inlineCompletion: { dynamicRegistration: true } },
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
          window: { workDoneProgress: true },
        },
        initializationOptions: settingsPayload(sent),
      });
      await connection.sendNotification(InitializedNotification.type, {});
    });

    after(async () => {
      server?.kill();
      connection?.dispose();
      if (workspace) {
        rmSync(workspace, { recursive: true, force: true });
      }
    });

    it("sends only what the user set", () => {
      assert.deepEqual(sent, { model: "smollm2-135m", maxTokens: 16, index: false });
    });

    it("offers inline completion and the commands the extension runs", () => {
      const { capabilities } = initializeResult;
      assert.ok(capabilities.inlineCompletionProvider, "no inlineCompletionProvider");
      const commands = capabilities.executeCommandProvider?.commands ?? [];
      for (const command of REQUIRED_COMMANDS) {
        assert.ok(commands.includes(command), `${command} is not in ${JSON.stringify(commands)}`);
      }
    });

    it(
      "answers an inline completion with an item that reports its accept",
      { timeout: TIMEOUT_MS },
      async () => {
        await connection.sendNotification(DidOpenTextDocumentNotification.type, {
          textDocument: { uri: documentUri(), languageId: "python", version: 1, text: SOURCE },
        });
        const result = await connection.sendRequest(InlineCompletionRequest.type, {
          textDocument: { uri: documentUri() },
          position: { line: 1, character: "    return ".length },
          context: { triggerKind: InlineCompletionTriggerKind.Automatic },
        });
        const items: InlineCompletionItem[] = Array.isArray(result)
          ? result
          : (result?.items ?? []);
        assert.ok(items.length > 0, `no inline completion; server stderr:\n${stderr}`);
        const [item] = items;
        assert.equal(typeof item?.insertText, "string");
        assert.notEqual(item?.insertText, "");
        // VS Code runs the item's command after an accept; it must be one the server offers.
        assert.equal(item?.command?.command, SERVER_COMMAND.acceptedCompletion);
        await connection.sendRequest(ExecuteCommandRequest.type, {
          command: SERVER_COMMAND.acceptedCompletion,
          arguments: item?.command?.arguments ?? [],
        });
      },
    );

    it(
      "reports the model, the settings sent, and the completion for the status bar",
      { timeout: TIMEOUT_MS },
      async () => {
        const current = await status();
        assert.match(current.model ?? "", /smollm2/i);
        assert.equal(current.settings.maxTokens, 16);
        assert.equal(current.index, null);
        assert.ok(current.recentGenerations.length > 0, "no generation recorded");
        assert.match(
          statusBarView("running", current).text,
          /^\$\(sparkle\) smollm2-135m · index off · \d/,
        );
      },
    );

    it(
      "has the defaults package.json shows for every setting not sent",
      { timeout: TIMEOUT_MS },
      async () => {
        const { settings } = await status();
        for (const { key, automatic } of SERVER_SETTINGS) {
          if (key in sent || (NEWER_SERVER_SETTINGS.has(key) && !(key in settings))) {
            continue;
          }
          if (automatic === undefined) {
            assert.deepEqual(settings[key], contributedSettings[key]?.default, key);
          } else if (typeof automatic === "number") {
            assert.ok(typeof settings[key] === "number" && settings[key] >= 1, key);
          } else {
            assert.equal(settings[key], null, key);
          }
        }
      },
    );

    it(
      "applies didChangeConfiguration in the shape the extension sends",
      { timeout: TIMEOUT_MS },
      async () => {
        await connection.sendNotification(DidChangeConfigurationNotification.type, {
          settings: settingsPayload({ ...sent, maxTokens: 8 }),
        });
        assert.equal((await status()).settings.maxTokens, 8);
        assert.deepEqual(errorsShown, []);
      },
    );

    it(
      "draws a diagram and answers with the file's URI, in the shape the extension reads",
      { timeout: TIMEOUT_MS },
      async () => {
        writeFileSync(join(workspace, "shapes.py"), "class Shape:\n    pass\n");
        const result: unknown = await connection.sendRequest(ExecuteCommandRequest.type, {
          command: SERVER_COMMAND.diagram,
          arguments: [{ kind: "classes", uri: pathToFileURL(join(workspace, "shapes.py")).href }],
        });
        assert.ok(isFileAnswer(result), JSON.stringify(result));
        // This peer cannot create files (no workspace/applyEdit): the server wrote it.
        const path = fileURLToPath(result.uri);
        assert.equal(path, join(workspace, "docs", "diagrams", "classes-shapes.py.mmd"));
        assert.match(readFileSync(path, "utf8"), /classDiagram/);
      },
    );

    it("shuts down cleanly", { timeout: TIMEOUT_MS }, async () => {
      const exited = new Promise<number | null>((done) =>
        server.once("exit", (code) => done(code)),
      );
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await exited, 0);
    });
  },
);
