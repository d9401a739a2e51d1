/**
 * How command results read to a person: search hits as quick pick rows, an index run as
 * one sentence. Pure (no `vscode` import): unit-tested.
 */

import { formatSeconds } from "./statusText";
import type { IndexSummary, SearchHit } from "./serverTypes";

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
