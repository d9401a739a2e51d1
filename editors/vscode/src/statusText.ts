/**
 * The status bar item's text and tooltip: model, index state and the last completion's
 * latency, from a `genls.status` result.
 *
 * Pure (no `vscode` import): unit-tested on status JSON.
 */

import type { GenerationRecord, IndexStatus, LastCompletion, ServerStatus } from "./serverTypes";

/** The server as the extension sees it. */
export type ServerState = "starting" | "running" | "stopped";

export type IndexState = "off" | "indexing" | "ready" | "not ready";

export interface StatusBarView {
  readonly text: string;
  readonly tooltip: string;
}

const CLICK_HINT = "Click for the full status.";

export function statusBarView(state: ServerState, status?: ServerStatus): StatusBarView {
  if (state === "starting") {
    return { text: "$(loading~spin) genls", tooltip: "genls: starting the server" };
  }
  if (state === "stopped") {
    return {
      text: "$(circle-slash) genls",
      tooltip: "genls: the server is not running (genls: Restart Server starts it)",
    };
  }
  if (status === undefined) {
    return { text: "$(sparkle) genls", tooltip: `genls: running. ${CLICK_HINT}` };
  }
  const index = indexState(status.index);
  const last = lastCompletion(status.recentGenerations);
  const parts = [shortModelName(status), `index ${index}`];
  const answer = status.lastCompletion;
  if (answer) {
    parts.push(`${formatSeconds(answer.milliseconds / 1000)} ${answer.source}`);
  } else if (last !== undefined) {
    parts.push(formatSeconds(last.seconds));
  }
  return { text: `$(sparkle) ${parts.join(" · ")}`, tooltip: tooltip(status, index, last) };
}

export function indexState(index: IndexStatus | null): IndexState {
  if (index === null) {
    return "off";
  }
  if (index.indexing) {
    return "indexing";
  }
  return index.ready ? "ready" : "not ready";
}

/** The newest generation that finished: a cancelled one says nothing about latency. */
export function lastCompletion(records: readonly GenerationRecord[]): GenerationRecord | undefined {
  return records.findLast((record) => !record.cancelled);
}

/** The model setting is a registry name or a path; a path shows as its file or folder name. */
export function shortModelName(status: ServerStatus): string {
  const model = status.settings.model;
  if (typeof model !== "string" || model === "") {
    return "genls";
  }
  return model.split(/[\\/]/).filter(Boolean).at(-1) ?? model;
}

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

function tooltip(
  status: ServerStatus,
  index: IndexState,
  last: GenerationRecord | undefined,
): string {
  const lines = [`genls ${status.version}`, `model: ${status.model ?? "not loaded yet"}`];
  lines.push(status.index === null ? "index: off" : `index: ${index} (${status.index.root})`);
  if (status.lastCompletion) {
    lines.push(answerLine(status.lastCompletion));
  }
  if (last !== undefined) {
    lines.push(
      `last completion: ${formatSeconds(last.seconds)}${costDetail(last)} in ${last.path}`,
    );
  }
  lines.push(CLICK_HINT);
  return lines.join("\n");
}

const SOURCES: Readonly<Record<string, string>> = {
  model: "from the model",
  cache: "from the suggestion shown before (typed as it predicted)",
  speculation: "computed ahead, after the last accepted suggestion",
};

function answerLine(answer: LastCompletion): string {
  const from = SOURCES[answer.source] ?? `from ${answer.source}`;
  const shown = answer.shown ? "shown" : "nothing shown";
  const sure =
    typeof answer.confidence === "number"
      ? `, confidence ${Math.round(answer.confidence * 100)}%`
      : "";
  return `last suggestion: ${formatSeconds(answer.milliseconds / 1000)} ${from} (${shown}${sure})`;
}

function costDetail(record: GenerationRecord): string {
  const parts: string[] = [];
  if (record.prefill_seconds !== undefined) {
    parts.push(`prefill ${formatSeconds(record.prefill_seconds)}`);
  }
  if (record.decode_seconds !== undefined) {
    parts.push(`decode ${formatSeconds(record.decode_seconds)}`);
  }
  if (record.generated_tokens !== undefined) {
    parts.push(`${record.generated_tokens} tokens`);
  }
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}
