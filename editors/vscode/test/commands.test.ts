import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CATEGORY,
  DIAGRAM_KINDS,
  PALETTE_COMMANDS,
  REFACTOR_PRESETS,
  SERVER_JOBS,
  SFX_KINDS,
  diagramOptions,
  lacksInstruction,
  withInstruction,
  type EditorContext,
  NEXT_EDIT_COMMAND,
  RESTART_COMMAND,
  SEARCH_HIT_COUNT,
  SERVER_COMMAND,
  SHOW_STATUS_COMMAND,
  type CommandContext,
  type PaletteCommand,
} from "../src/commands";
import { manifest } from "./manifest";

const NO_INPUT: CommandContext = { inputs: [], editor: undefined };
const EDITOR: EditorContext = {
  uri: "file:///work/app/shop.py",
  languageId: "python",
  selection: { start: { line: 7, character: 4 }, end: { line: 9, character: 30 } },
  word: "total_price",
};
const RANGE = EDITOR.selection;

function command(id: string): PaletteCommand {
  const found = PALETTE_COMMANDS.find((entry) => entry.id === id);
  assert.ok(found, `no palette command ${id}`);
  return found;
}

describe("palette commands", () => {
  it("search sends the query and a hit count to genls.search", () => {
    const search = command("genls.searchWorkspace");
    assert.equal(search.serverCommand, SERVER_COMMAND.search);
    assert.equal(search.inputs.length, 1);
    assert.deepEqual(search.args({ inputs: ["parse settings"], editor: undefined }), [
      "parse settings",
      SEARCH_HIT_COUNT,
    ]);
    assert.equal(search.view, "searchHits");
  });

  it("re-index runs genls.index without arguments, under a progress notification", () => {
    const reindex = command("genls.reindexWorkspace");
    assert.equal(reindex.serverCommand, SERVER_COMMAND.index);
    assert.deepEqual(reindex.args(NO_INPUT), []);
    assert.ok(reindex.progress);
    assert.equal(reindex.view, "indexSummary");
  });

  it("show status runs genls.status, which the status bar item also opens", () => {
    const status = command(SHOW_STATUS_COMMAND);
    assert.equal(status.serverCommand, SERVER_COMMAND.status);
    assert.deepEqual(status.args(NO_INPUT), []);
    assert.equal(status.view, "statusJson");
  });

  it("never reuses a server command id, which vscode-languageclient registers itself", () => {
    const serverIds = new Set<string>(Object.values(SERVER_COMMAND));
    for (const entry of [...PALETTE_COMMANDS, NEXT_EDIT_COMMAND, RESTART_COMMAND]) {
      assert.ok(!serverIds.has(entry.id), entry.id);
    }
  });

  it("package.json contributes each command with its title in the genls category", () => {
    const expected = [...PALETTE_COMMANDS, NEXT_EDIT_COMMAND, RESTART_COMMAND].map(
      ({ id, title }) => ({
        command: id,
        title,
        category: CATEGORY,
      }),
    );
    assert.deepEqual(manifest.contributes.commands, expected);
  });

  it("package.json's editor context menu names palette commands only", () => {
    const ids = new Set(PALETTE_COMMANDS.map(({ id }) => id));
    const menu = manifest.contributes.menus?.["editor/context"] ?? [];
    assert.ok(menu.length > 0);
    for (const entry of menu) {
      assert.ok(ids.has(entry.command), entry.command);
    }
    const expected = PALETTE_COMMANDS.filter((entry) => entry.contextMenu).map(({ id }) => id);
    assert.deepEqual(
      menu.map(({ command }) => command),
      expected,
    );
  });

  it("every server job has a palette command that runs it with the job's view", () => {
    for (const [serverCommand, job] of Object.entries(SERVER_JOBS)) {
      const entry = PALETTE_COMMANDS.find((command) => command.serverCommand === serverCommand);
      assert.ok(entry, serverCommand);
      assert.equal(entry.view, job.view, serverCommand);
      assert.equal(entry.progress, job.progress, serverCommand);
    }
  });
});

describe("job arguments", () => {
  it("docstring: the file and the cursor's 0-based line", () => {
    const docstring = command("genls.writeDocstring");
    assert.equal(docstring.serverCommand, SERVER_COMMAND.docstring);
    assert.ok(docstring.needsEditor);
    assert.deepEqual(docstring.args({ inputs: [], editor: EDITOR }), [EDITOR.uri, 7]);
  });

  it("document file: the file", () => {
    const documentFile = command("genls.documentThisFile");
    assert.deepEqual(documentFile.args({ inputs: [], editor: EDITOR }), [EDITOR.uri]);
  });

  it("refactor: the file, the selection and the instruction, asked with the presets", () => {
    const refactor = command("genls.refactorCode");
    assert.deepEqual(refactor.inputs[0]?.choices, REFACTOR_PRESETS);
    assert.equal(refactor.inputs[0]?.freeText, true);
    assert.deepEqual(refactor.args({ inputs: ["use pathlib"], editor: EDITOR }), [
      EDITOR.uri,
      RANGE,
      "use pathlib",
    ]);
  });

  it("diagram: a kind from the quick pick, for the file, its folder, or the function", () => {
    const diagram = command("genls.drawDiagram");
    assert.deepEqual(diagram.inputs[0]?.choices, DIAGRAM_KINDS);
    assert.deepEqual(diagram.args({ inputs: ["classes"], editor: EDITOR }), [
      { kind: "classes", uri: EDITOR.uri },
    ]);
    assert.deepEqual(diagramOptions("imports", EDITOR), {
      kind: "imports",
      uri: "file:///work/app",
    });
    assert.deepEqual(diagramOptions("calls", EDITOR), {
      kind: "calls",
      uri: EDITOR.uri,
      symbol: "total_price",
    });
    // No editor: the whole workspace.
    assert.deepEqual(diagram.args({ inputs: ["imports"], editor: undefined }), [
      { kind: "imports" },
    ]);
  });

  it("history: the file and the line; changelog and commit message: no arguments", () => {
    assert.deepEqual(command("genls.showSymbolHistory").args({ inputs: [], editor: EDITOR }), [
      { uri: EDITOR.uri, line: 7 },
    ]);
    assert.deepEqual(command("genls.writeChangelog").args(NO_INPUT), [{ apply: true }]);
    assert.deepEqual(command("genls.writeCommitMessage").args(NO_INPUT), []);
  });

  it("assets: the prompt or the sound effect kind, as one object", () => {
    assert.deepEqual(command("genls.composeMusic").args({ inputs: ["calm"], editor: undefined }), [
      { prompt: "calm" },
    ]);
    assert.deepEqual(command("genls.makeImage").args({ inputs: ["fox"], editor: undefined }), [
      { prompt: "fox" },
    ]);
    const sfx = command("genls.makeSoundEffect");
    assert.deepEqual(sfx.inputs[0]?.choices, SFX_KINDS);
    assert.deepEqual(sfx.args({ inputs: ["coin"], editor: undefined }), [{ kind: "coin" }]);
  });
});

describe("a refactor code action without its instruction", () => {
  it("is recognised, and only for genls.refactor", () => {
    assert.ok(lacksInstruction(SERVER_COMMAND.refactor, [EDITOR.uri, RANGE]));
    assert.ok(lacksInstruction(SERVER_COMMAND.refactor, [EDITOR.uri, RANGE, "  "]));
    assert.ok(!lacksInstruction(SERVER_COMMAND.refactor, [EDITOR.uri, RANGE, "simplify"]));
    assert.ok(!lacksInstruction(SERVER_COMMAND.docstring, [EDITOR.uri, 3]));
  });

  it("gets the instruction as its third argument", () => {
    assert.deepEqual(withInstruction([EDITOR.uri, RANGE], "simplify"), [
      EDITOR.uri,
      RANGE,
      "simplify",
    ]);
  });
});
