/**
 * How command results read to a person: search hits as quick pick rows, an index run as
 * one sentence. Pure (no `vscode` import): unit-tested.
 */

import { formatSeconds } from "./statusText";
import type { EditOutcome, FileAnswer, IndexSummary, SearchHit } from "./serverTypes";

/** The fields of a quick pick row (VS Code's QuickPickItem has the same names). */
export interface PickRow {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
}

const DETAIL_CHARS = 120;

export function searchHitRow(hit: SearchHit): PickRow {
  const where = `${hit.path}:${hit.range.start.line + 1}`;
  const firstLine = hit.text
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  return {
    label: hit.symbol ?? where,
    description: hit.symbol === null ? `score ${hit.score.toFixed(3)}` : where,
    detail: (firstLine ?? "").slice(0, DETAIL_CHARS),
  };
}

export function indexSummaryMessage(summary: IndexSummary | null): string {
  if (summary === null) {
    return "genls: there is no index to update: open a folder, and check that genls.index is not false.";
  }
  return (
    `genls: indexed ${summary.files} files (${summary.changed} changed, ` +
    `${summary.removed} removed), ${summary.chunks} chunks in ${formatSeconds(summary.seconds)}.`
  );
}

export const NO_SEARCH_HITS =
  "genls: no hits. The index may still be building (see the status bar), or be off (genls.index).";

/**
 * The server's refusal of a command ({applied: false, message}): bad options, no folder, a
 * failed check. The server has already shown the message as a warning; nothing was edited.
 */
export function isRefusal(result: unknown): boolean {
  if (typeof result !== "object" || result === null) {
    return false;
  }
  const { applied, message } = result as { applied?: unknown; message?: unknown };
  return applied === false && typeof message === "string";
}

/** LSP's RequestCancelled (-32800): the person stopped the job; the server changed nothing. */
export function isCancellation(error: unknown): boolean {
  return (
    typeof error === "object" && error !== null && (error as { code?: unknown }).code === -32800
  );
}

/** A command that this server (an older genls) does not list in its executeCommandProvider. */
export function missingCommandMessage(serverCommand: string): string {
  return `genls: this genls server has no ${serverCommand} command (update genls)`;
}

/**
 * One sentence for an edit job's answer; undefined when there is nothing to add (the server
 * has already shown its own warning for a job that did nothing).
 */
export function editOutcomeMessage(title: string, outcome: EditOutcome): string | undefined {
  if (!outcome.applied) {
    if (outcome.message !== undefined || (outcome.failed?.length ?? 0) > 0) {
      return undefined;
    }
    return `genls: ${title}: the edit was not applied (the file changed meanwhile?).`;
  }
  if (outcome.name !== undefined) {
    return `genls: wrote the docstring for ${outcome.name}.`;
  }
  if (outcome.documented !== undefined) {
    return `genls: documented ${outcome.documented.length}: ${outcome.documented.join(", ")}.`;
  }
  const [first, last] = outcome.lines ?? [];
  if (first !== undefined) {
    return `genls: ${title}: rewrote lines ${first + 1}–${(last ?? first) + 1}.`;
  }
  return `genls: ${title}: done.`;
}

/** What the user hears when a job wrote a file and it opens. */
export function fileWrittenMessage(
  title: string,
  answer: FileAnswer,
  relativePath: string,
): string {
  const more = (answer.uris?.length ?? 1) - 1;
  return `genls: ${title}: ${relativePath}${more > 0 ? ` (and ${more} more)` : ""}.`;
}
