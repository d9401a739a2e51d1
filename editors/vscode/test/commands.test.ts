import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CATEGORY,
  PALETTE_COMMANDS,
  RESTART_COMMAND,
  SEARCH_HIT_COUNT,
  SERVER_COMMAND,
  SHOW_STATUS_COMMAND,
  type CommandContext,
  type PaletteCommand,
} from "../src/commands";
import { manifest } from "./manifest";

const NO_INPUT: CommandContext = { inputs: [], editor: undefined };

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
    for (const entry of [...PALETTE_COMMANDS, RESTART_COMMAND]) {
      assert.ok(!serverIds.has(entry.id), entry.id);
    }
  });

  it("package.json contributes each command with its title in the genls category", () => {
    const expected = [...PALETTE_COMMANDS, RESTART_COMMAND].map(({ id, title }) => ({
      command: id,
      title,
      category: CATEGORY,
    }));
    assert.deepEqual(manifest.contributes.commands, expected);
  });
});
