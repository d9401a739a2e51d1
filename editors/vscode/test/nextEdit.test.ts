import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { NEXT_EDIT_COMMAND, SERVER_COMMAND } from "../src/commands";
import {
  ACCEPT_NEXT_EDIT,
  DISMISS_NEXT_EDIT,
  NEAR_LINES,
  NEXT_EDIT_VISIBLE,
  insertedEnd,
  isNearCursor,
  isNextEdit,
  nextEditFailure,
  previewMessage,
  previewParts,
  previewText,
  type NextEdit,
} from "../src/nextEdit";
import { manifest } from "./manifest";

const URI = "file:///work/geo.py";
/** As genls/server/next_edit_features.py answers after `count` became `total` on line 1. */
const RENAME: NextEdit = {
  uri: URI,
  range: { start: { line: 2, character: 19 }, end: { line: 2, character: 24 } },
  newText: "total",
  reason: "rename count to total, as you did",
  source: "rename",
  command: {
    title: "genls: next edit accepted",
    command: SERVER_COMMAND.acceptedNextEdit,
    arguments: [URI],
  },
};

const at = (line: number, character: number) => ({ line, character });

describe("isNextEdit", () => {
  it("accepts the server's answer, with or without a command", () => {
    assert.ok(isNextEdit(RENAME));
    assert.ok(isNextEdit(JSON.parse(JSON.stringify(RENAME))));
    const { command: _command, ...bare } = RENAME;
    assert.ok(isNextEdit(bare));
    assert.ok(isNextEdit({ ...RENAME, command: null }));
  });

  it("rejects no edit and answers it cannot apply", () => {
    assert.ok(!isNextEdit(null));
    assert.ok(!isNextEdit([]));
    assert.ok(!isNextEdit({ ...RENAME, newText: undefined }));
    assert.ok(!isNextEdit({ ...RENAME, uri: 3 }));
    assert.ok(!isNextEdit({ ...RENAME, range: { start: at(2, 19) } }));
    assert.ok(!isNextEdit({ ...RENAME, range: { start: at(2, -1), end: at(2, 4) } }));
    assert.ok(!isNextEdit({ ...RENAME, range: { start: at(2, 1.5), end: at(2, 4) } }));
    // A range that ends before it starts.
    assert.ok(!isNextEdit({ ...RENAME, range: { start: at(3, 0), end: at(2, 24) } }));
    assert.ok(!isNextEdit({ ...RENAME, command: { command: 7 } }));
    assert.ok(!isNextEdit({ ...RENAME, command: { ...RENAME.command, arguments: URI } }));
  });
});

describe("isNearCursor", () => {
  const line = (n: number) => ({ start: at(n, 4), end: at(n, 9) });

  it("keeps the cursor where it is for an edit within NEAR_LINES lines", () => {
    assert.equal(NEAR_LINES, 2);
    assert.ok(isNearCursor(line(2), at(1, 9)));
    assert.ok(isNearCursor(line(2), at(2, 0)));
    assert.ok(isNearCursor(line(5), at(3, 0)));
    assert.ok(isNearCursor(line(5), at(7, 30)));
    // Inside a multi-line range.
    assert.ok(isNearCursor({ start: at(10, 0), end: at(20, 0) }, at(15, 3)));
  });

  it("jumps to an edit further away, above or below", () => {
    assert.ok(!isNearCursor(line(5), at(2, 24)));
    assert.ok(!isNearCursor(line(5), at(8, 0)));
    assert.ok(!isNearCursor({ start: at(10, 0), end: at(20, 0) }, at(23, 0)));
  });
});

describe("insertedEnd", () => {
  it("is where the cursor goes once the edit is applied", () => {
    assert.deepEqual(insertedEnd(at(2, 19), "total"), at(2, 24));
    assert.deepEqual(insertedEnd(at(2, 19), ""), at(2, 19));
    assert.deepEqual(insertedEnd(at(2, 19), "a\n    bc"), at(3, 6));
    assert.deepEqual(insertedEnd(at(2, 19), "a\r\nb\r\n"), at(4, 0));
  });
});

describe("previewParts", () => {
  it("strikes the old text and draws the new after it", () => {
    assert.deepEqual(previewParts(RENAME), {
      removed: RENAME.range,
      inserted: { at: at(2, 24), text: "total" },
    });
  });

  it("strikes nothing for an insertion, draws nothing for a deletion", () => {
    const insertion = { ...RENAME, range: { start: at(4, 0), end: at(4, 0) }, newText: "x = 1" };
    assert.deepEqual(previewParts(insertion), {
      removed: undefined,
      inserted: { at: at(4, 0), text: "x = 1" },
    });
    assert.deepEqual(previewParts({ ...RENAME, newText: "" }), {
      removed: RENAME.range,
      inserted: undefined,
    });
  });

  it("draws new lines on one line, and a long text shortened", () => {
    assert.equal(previewText("if x:\n    y()"), "if x: ⏎     y()");
    const long = previewText("a".repeat(200));
    assert.equal(long.length, 80);
    assert.ok(long.endsWith("…"));
  });
});

describe("the preview's words", () => {
  it("gives the reason and the keys in the status bar", () => {
    assert.equal(
      previewMessage(RENAME),
      "genls: rename count to total, as you did · Tab accepts, Escape dismisses",
    );
    assert.equal(
      previewMessage({ ...RENAME, reason: " " }),
      "genls: next edit · Tab accepts, Escape dismisses",
    );
  });

  it("says an older genls lacks the request, and quotes any other failure", () => {
    const missing = Object.assign(new Error("Unhandled method genls/nextEdit"), { code: -32601 });
    assert.match(nextEditFailure(missing), /has no next-edit suggestions.*update/);
    assert.equal(nextEditFailure(new Error("boom")), "genls: Go to Next Edit failed: boom");
  });
});

describe("package.json keybindings", () => {
  const binding = (command: string) => {
    const found = manifest.contributes.keybindings?.filter((entry) => entry.command === command);
    assert.equal(found?.length, 1, command);
    return found[0];
  };

  it("Alt+] asks for the next edit, except where VS Code's Alt+] cycles ghost text", () => {
    assert.deepEqual(binding(NEXT_EDIT_COMMAND.id), {
      command: NEXT_EDIT_COMMAND.id,
      key: "alt+]",
      when: "editorTextFocus && !inlineSuggestionVisible",
    });
  });

  it("Tab accepts and Escape dismisses only while a next edit shows and no ghost text does", () => {
    const accept = binding(ACCEPT_NEXT_EDIT);
    assert.equal(accept?.key, "tab");
    const dismiss = binding(DISMISS_NEXT_EDIT);
    assert.equal(dismiss?.key, "escape");
    for (const entry of [accept, dismiss]) {
      const conditions = (entry?.when ?? "").split(" && ");
      assert.ok(conditions.includes(NEXT_EDIT_VISIBLE), entry?.when);
      assert.ok(conditions.includes("!inlineSuggestionVisible"), entry?.when);
      assert.ok(conditions.includes("!suggestWidgetVisible"), entry?.when);
    }
  });

  it("binds only commands the extension registers", () => {
    const ids = new Set([NEXT_EDIT_COMMAND.id, ACCEPT_NEXT_EDIT, DISMISS_NEXT_EDIT]);
    for (const entry of manifest.contributes.keybindings ?? []) {
      assert.ok(ids.has(entry.command), entry.command);
    }
  });
});
