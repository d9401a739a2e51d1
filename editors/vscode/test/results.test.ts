import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  editOutcomeMessage,
  fileWrittenMessage,
  indexSummaryMessage,
  isCancellation,
  isRefusal,
  missingCommandMessage,
  searchHitRow,
} from "../src/results";
import { isIndexSummary, isSearchHits, type SearchHit } from "../src/serverTypes";

const HIT: SearchHit = {
  uri: "file:///work/app/genls/config.py",
  path: "genls/config.py",
  range: { start: { line: 86, character: 0 }, end: { line: 93, character: 0 } },
  symbol: "Settings.merged",
  score: 0.0328,
  text: "\n    def merged(self, overrides):\n        values = dataclasses.asdict(self)\n",
};

describe("searchHitRow", () => {
  it("labels a hit by its symbol and shows where it is (1-based line) and its first line", () => {
    assert.deepEqual(searchHitRow(HIT), {
      label: "Settings.merged",
      description: "genls/config.py:87",
      detail: "def merged(self, overrides):",
    });
  });

  it("labels a hit without a symbol by its place", () => {
    const row = searchHitRow({ ...HIT, symbol: null, text: "x".repeat(500) });
    assert.equal(row.label, "genls/config.py:87");
    assert.equal(row.description, "score 0.033");
    assert.equal(row.detail.length, 120);
  });
});

describe("indexSummaryMessage", () => {
  it("tells what an index run did", () => {
    const summary = { files: 40, chunks: 512, changed: 3, removed: 1, seconds: 2.04 };
    assert.equal(
      indexSummaryMessage(summary),
      "genls: indexed 40 files (3 changed, 1 removed), 512 chunks in 2.0 s.",
    );
  });

  it("explains a missing index", () => {
    assert.match(indexSummaryMessage(null), /genls\.index/);
  });
});

describe("result guards", () => {
  it("check the fields the extension reads", () => {
    assert.ok(isSearchHits([HIT]));
    assert.ok(isSearchHits([]));
    assert.ok(!isSearchHits([{ ...HIT, range: null }]));
    assert.ok(!isSearchHits({ hits: [] }));
    assert.ok(
      isIndexSummary({ files: 1, chunks: 2, changed: 1, removed: 0, seconds: 0.5, languages: {} }),
    );
    assert.ok(!isIndexSummary({ files: 1 }));
  });
});

describe("job messages", () => {
  it("tells an older server apart from a failed command", () => {
    assert.equal(
      missingCommandMessage("genls.generateImage"),
      "genls: this genls server has no genls.generateImage command (update genls)",
    );
  });

  it("says what an edit job did, and nothing when the server has already said why not", () => {
    assert.equal(
      editOutcomeMessage("Docstring", { applied: true, name: "total_price" }),
      "genls: wrote the docstring for total_price.",
    );
    assert.equal(
      editOutcomeMessage("Document File", { applied: true, documented: ["a", "b"], failed: [] }),
      "genls: documented 2: a, b.",
    );
    assert.equal(
      editOutcomeMessage("Refactor", { applied: true, lines: [6, 11] }),
      "genls: Refactor: rewrote lines 7–12.",
    );
    assert.equal(
      editOutcomeMessage("Refactor", { applied: false, message: "no region" }),
      undefined,
    );
    assert.match(editOutcomeMessage("Refactor", { applied: false }) ?? "", /not applied/);
  });

  it("tells a refusal (the server has warned) and a cancellation (say nothing) apart", () => {
    assert.equal(
      isRefusal({ applied: false, message: "folder 'x' is outside the workspace" }),
      true,
    );
    assert.equal(isRefusal({ applied: false, documented: [], failed: [] }), false);
    assert.equal(isRefusal({ message: "feat: add area", source: "model", errors: [] }), false);
    assert.equal(isRefusal(null), false);
    assert.equal(isCancellation({ code: -32800, message: "composing was cancelled" }), true);
    assert.equal(isCancellation({ code: -32603, message: "boom" }), false);
    assert.equal(isCancellation(new Error("boom")), false);
  });

  it("names the written file and how many companions it has", () => {
    const answer = { uri: "file:///w/a.wav", uris: ["file:///w/a.wav", "file:///w/a.json"] };
    assert.equal(fileWrittenMessage("Music", answer, "a.wav"), "genls: Music: a.wav (and 1 more).");
  });
});
