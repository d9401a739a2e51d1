/**
 * Next-edit suggestions (`genls/nextEdit`), the part with no `vscode` import: the request, the
 * answer and the guard that checks it, whether the edit is near enough to the cursor to be
 * shown where the person is, and what the preview draws. nextEditPreview.ts shows it.
 *
 * Pure (no `vscode` import): unit-tested.
 */

import type { LspPosition } from "./serverTypes";

export const NEXT_EDIT_REQUEST = "genls/nextEdit";
/** True while a next edit is previewed: Tab accepts it, Escape dismisses it. */
export const NEXT_EDIT_VISIBLE = "genls.nextEditVisible";
/** Bound to Tab and Escape (package.json `keybindings`); not in the palette. */
export const ACCEPT_NEXT_EDIT = "genls.acceptNextEdit";
export const DISMISS_NEXT_EDIT = "genls.dismissNextEdit";
export const NO_NEXT_EDIT = "genls: no next edit";
/** How long the "no next edit" note stays in the status bar. */
export const NO_NEXT_EDIT_MS = 3000;
/** An edit this many lines above or below the cursor is near it: the cursor stays put. */
export const NEAR_LINES = 2;
/** The longest preview of the new text drawn after the old one. */
const PREVIEW_CHARS = 80;

export interface LspRange {
  readonly start: LspPosition;
  readonly end: LspPosition;
}

export interface NextEditParams {
  readonly textDocument: { readonly uri: string };
  readonly position: LspPosition;
}

/** The server's answer: replace `range` in `uri` with `newText`, then run `command`. */
export interface NextEdit {
  readonly uri: string;
  readonly range: LspRange;
  readonly newText: string;
  /** One line for the person: what the edit continues ("rename count to total, as you did"). */
  readonly reason: string;
  /** "rename" or "model". */
  readonly source: string;
  /** `genls.acceptedNextEdit`, run on the server once the edit is applied. */
  readonly command?: {
    readonly title: string;
    readonly command: string;
    readonly arguments?: readonly unknown[];
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPosition(value: unknown): value is LspPosition {
  return (
    isRecord(value) &&
    Number.isInteger(value.line) &&
    Number.isInteger(value.character) &&
    (value.line as number) >= 0 &&
    (value.character as number) >= 0
  );
}

function isRange(value: unknown): value is LspRange {
  return isRecord(value) && isPosition(value.start) && isPosition(value.end);
}

/** Whether `value` is a next edit the preview can show (null, or anything else: no edit). */
export function isNextEdit(value: unknown): value is NextEdit {
  if (!isRecord(value)) {
    return false;
  }
  const { command } = value;
  return (
    typeof value.uri === "string" &&
    isRange(value.range) &&
    comparePositions(value.range.start, value.range.end) <= 0 &&
    typeof value.newText === "string" &&
    typeof value.reason === "string" &&
    typeof value.source === "string" &&
    (command === undefined ||
      command === null ||
      (isRecord(command) &&
        typeof command.command === "string" &&
        (command.arguments === undefined || Array.isArray(command.arguments))))
  );
}

export function comparePositions(a: LspPosition, b: LspPosition): number {
  return a.line === b.line ? a.character - b.character : a.line - b.line;
}

/**
 * An edit whose lines are within NEAR_LINES of the cursor's is previewed where the person is;
 * one further away is a jump: the cursor moves to it.
 */
export function isNearCursor(range: LspRange, cursor: LspPosition): boolean {
  return range.start.line - NEAR_LINES <= cursor.line && cursor.line <= range.end.line + NEAR_LINES;
}

/** Where the inserted text ends once `newText` replaced the range starting at `start`. */
export function insertedEnd(start: LspPosition, newText: string): LspPosition {
  const lines = newText.split(/\r\n|\r|\n/);
  const last = lines[lines.length - 1] ?? "";
  return lines.length === 1
    ? { line: start.line, character: start.character + last.length }
    : { line: start.line + lines.length - 1, character: last.length };
}

/** What the preview draws: the old text struck through (none for an insertion) and the new. */
export interface PreviewParts {
  readonly removed: LspRange | undefined;
  /** Drawn just after the old text (an `after` decoration); undefined for a deletion. */
  readonly inserted: { readonly at: LspPosition; readonly text: string } | undefined;
}

export function previewParts(edit: NextEdit): PreviewParts {
  const { start, end } = edit.range;
  return {
    removed: comparePositions(start, end) === 0 ? undefined : edit.range,
    inserted: edit.newText === "" ? undefined : { at: end, text: previewText(edit.newText) },
  };
}

/** The new text on one line (an `after` decoration cannot break lines), shortened if long. */
export function previewText(newText: string): string {
  const oneLine = newText.replace(/\r\n|\r|\n/g, " ⏎ ");
  return oneLine.length <= PREVIEW_CHARS ? oneLine : `${oneLine.slice(0, PREVIEW_CHARS - 1)}…`;
}

/** The status bar note while an edit is previewed. */
export function previewMessage(edit: NextEdit): string {
  const reason = edit.reason.trim() === "" ? "next edit" : edit.reason.trim();
  return `genls: ${reason} · Tab accepts, Escape dismisses`;
}

/** A failed `genls/nextEdit`, in the person's words: an older genls lacks the request. */
export function nextEditFailure(error: unknown): string {
  const code = isRecord(error) ? error.code : undefined;
  if (code === -32601) {
    return "genls: this genls has no next-edit suggestions (genls/nextEdit): update it.";
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `genls: Go to Next Edit failed: ${reason}`;
}
