import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { GenerationRecord, ServerStatus } from "../src/serverTypes";
import { isServerStatus } from "../src/serverTypes";
import { formatSeconds, indexState, statusBarView } from "../src/statusText";

function generation(seconds: number, cancelled = false): GenerationRecord {
  return {
    path: "/work/app/shapes.py",
    seconds,
    cancelled,
    snippetPaths: [],
    prompt_tokens: 300,
    reused_tokens: 280,
    generated_tokens: 12,
    prefill_seconds: 0.05,
    decode_seconds: 0.3,
  };
}

/** What genls.status returns, trimmed (see genls/server/status_features.py). */
const STATUS: ServerStatus = {
  version: "0.1.0",
  settings: { model: "qwen2.5-coder-0.5b", maxTokens: 64, apiKey: null },
  model: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf (llama.cpp, 2 threads, n_ctx 2048)",
  index: { root: "/work/app", ready: true, indexing: false, writesToDisk: true },
  recentGenerations: [generation(2.345), generation(0.4213), generation(0.1, true)],
};

describe("statusBarView", () => {
  it("shows the model, the index state and the last finished completion's latency", () => {
    const view = statusBarView("running", STATUS);
    assert.equal(view.text, "$(sparkle) qwen2.5-coder-0.5b · index ready · 421 ms");
    assert.match(view.tooltip, /^genls 0\.1\.0\nmodel: qwen2\.5-coder-0\.5b-instruct-q4_k_m\.gguf/);
    assert.match(view.tooltip, /index: ready \(\/work\/app\)/);
    assert.match(
      view.tooltip,
      /last completion: 421 ms \(prefill 50 ms, decode 300 ms, 12 tokens\) in \/work\/app\/shapes\.py/,
    );
  });

  it("shows the last answer's latency and where it came from", () => {
    const status = {
      ...STATUS,
      lastCompletion: { source: "cache", milliseconds: 1.6, shown: true, confidence: 0.82 },
    };
    const view = statusBarView("running", status);
    assert.equal(view.text, "$(sparkle) qwen2.5-coder-0.5b · index ready · 2 ms cache");
    assert.match(
      view.tooltip,
      /last suggestion: 2 ms from the suggestion shown before \(typed as it predicted\) \(shown, confidence 82%\)/,
    );
    const model = { source: "model", milliseconds: 640, shown: false, confidence: null };
    const quiet = statusBarView("running", { ...STATUS, lastCompletion: model });
    assert.equal(quiet.text, "$(sparkle) qwen2.5-coder-0.5b · index ready · 640 ms model");
    assert.match(quiet.tooltip, /last suggestion: 640 ms from the model \(nothing shown\)/);
  });

  it("leaves the latency out before the first completion", () => {
    const view = statusBarView("running", { ...STATUS, recentGenerations: [] });
    assert.equal(view.text, "$(sparkle) qwen2.5-coder-0.5b · index ready");
  });

  it("shows a model path by its file name", () => {
    const status = { ...STATUS, settings: { model: "/models/codegemma-2b.Q4_K_M.gguf" } };
    assert.match(
      statusBarView("running", status).text,
      /^\$\(sparkle\) codegemma-2b\.Q4_K_M\.gguf · /,
    );
  });

  it("says when the server starts or does not run, whatever the last status said", () => {
    assert.equal(statusBarView("starting", STATUS).text, "$(loading~spin) genls");
    assert.equal(statusBarView("stopped", STATUS).text, "$(circle-slash) genls");
    assert.equal(statusBarView("running").text, "$(sparkle) genls");
  });
});

describe("indexState", () => {
  it("distinguishes off, indexing, ready and not ready", () => {
    assert.equal(indexState(null), "off");
    assert.equal(
      indexState({ root: "/a", ready: true, indexing: true, writesToDisk: true }),
      "indexing",
    );
    assert.equal(
      indexState({ root: "/a", ready: true, indexing: false, writesToDisk: false }),
      "ready",
    );
    assert.equal(
      indexState({ root: "/a", ready: false, indexing: false, writesToDisk: true }),
      "not ready",
    );
  });
});

describe("formatSeconds", () => {
  it("uses milliseconds below a second", () => {
    assert.equal(formatSeconds(0.0304), "30 ms");
    assert.equal(formatSeconds(1.25), "1.3 s");
    assert.equal(formatSeconds(12), "12.0 s");
  });
});

describe("isServerStatus", () => {
  it("accepts a status and rejects what is not one", () => {
    assert.ok(isServerStatus(STATUS));
    assert.ok(isServerStatus({ ...STATUS, model: null, index: null }));
    assert.ok(!isServerStatus(null));
    assert.ok(!isServerStatus({ ...STATUS, recentGenerations: [{ seconds: "1" }] }));
    assert.ok(!isServerStatus({ ...STATUS, settings: undefined }));
    assert.ok(isServerStatus({ ...STATUS, lastCompletion: null }));
    assert.ok(!isServerStatus({ ...STATUS, lastCompletion: { source: 1, milliseconds: 2 } }));
  });
});
