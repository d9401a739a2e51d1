/**
 * The JSON the server's commands return (genls/server/*_features.py), and guards that check
 * the parts the extension reads before it trusts them: an older or newer server may differ.
 */

/** One model call (`recentGenerations`); the token fields come from the backend's stats. */
export interface GenerationRecord {
  readonly path: string;
  readonly seconds: number;
  readonly cancelled: boolean;
  readonly snippetPaths: readonly string[];
  readonly prompt_tokens?: number;
  readonly reused_tokens?: number;
  readonly generated_tokens?: number;
  readonly prefill_seconds?: number;
  readonly decode_seconds?: number;
}

/** How the last completion request was answered (`lastCompletion`), shown or not. */
export interface LastCompletion {
  /** "model", "cache" (the rest of a suggestion shown before) or "speculation" (computed ahead). */
  readonly source: string;
  readonly milliseconds: number;
  readonly shown: boolean;
  /** How sure the model was of the first line (0..1); null where the backend cannot say. */
  readonly confidence: number | null;
}

/** The last prompt prefilled ahead of a request (`lastPrewarm`). */
export interface LastPrewarm {
  readonly path: string;
  /** In code points from the start of the document. */
  readonly offset: number;
  readonly milliseconds: number;
  /** False when a request stopped it part-way (what it prefilled is kept). */
  readonly finished: boolean;
}

export interface IndexStatus {
  readonly root: string;
  readonly ready: boolean;
  readonly indexing: boolean;
  readonly writesToDisk: boolean;
}

/** `genls.status`. */
export interface ServerStatus {
  readonly version: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The loaded model in one line; null until the model is loaded. */
  readonly model: string | null;
  /** Null when indexing is off or no folder is open. */
  readonly index: IndexStatus | null;
  /** Oldest first. */
  readonly recentGenerations: readonly GenerationRecord[];
  /** Null before the first request; absent from servers older than the replay benchmark. */
  readonly lastCompletion?: LastCompletion | null;
  /** Null before the first prewarm; absent from servers older than `genls/didMoveCursor`. */
  readonly lastPrewarm?: LastPrewarm | null;
}

export interface LspPosition {
  readonly line: number;
  readonly character: number;
}

/** One `genls.search` hit. */
export interface SearchHit {
  readonly uri: string;
  readonly path: string;
  readonly range: { readonly start: LspPosition; readonly end: LspPosition };
  readonly symbol: string | null;
  readonly score: number;
  readonly text: string;
}

/** `genls.index`; null when there is no index (indexing off, or no folder open). */
export interface IndexSummary {
  readonly files: number;
  readonly chunks: number;
  readonly changed: number;
  readonly removed: number;
  readonly seconds: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isServerStatus(value: unknown): value is ServerStatus {
  return (
    isRecord(value) &&
    typeof value.version === "string" &&
    isRecord(value.settings) &&
    (value.model === null || typeof value.model === "string") &&
    (value.index === null || isRecord(value.index)) &&
    Array.isArray(value.recentGenerations) &&
    value.recentGenerations.every(
      (record) =>
        isRecord(record) &&
        typeof record.seconds === "number" &&
        typeof record.cancelled === "boolean",
    ) &&
    (value.lastCompletion === undefined ||
      value.lastCompletion === null ||
      (isRecord(value.lastCompletion) &&
        typeof value.lastCompletion.source === "string" &&
        typeof value.lastCompletion.milliseconds === "number"))
  );
}

export function isSearchHits(value: unknown): value is SearchHit[] {
  return (
    Array.isArray(value) &&
    value.every(
      (hit) =>
        isRecord(hit) &&
        typeof hit.uri === "string" &&
        typeof hit.path === "string" &&
        isRecord(hit.range) &&
        typeof hit.text === "string",
    )
  );
}

export function isIndexSummary(value: unknown): value is IndexSummary {
  return (
    isRecord(value) &&
    ["files", "chunks", "changed", "removed", "seconds"].every(
      (key) => typeof value[key] === "number",
    )
  );
}

/** genls.docstring, documentFile and refactor: the edit itself came as workspace/applyEdit. */
export interface EditOutcome {
  readonly applied: boolean;
  /** Set when the server did nothing; it has said why (window/showMessage). */
  readonly message?: string;
  /** genls.docstring: the documented definition. */
  readonly name?: string;
  /** genls.documentFile. */
  readonly documented?: readonly string[];
  readonly failed?: readonly string[];
  /** genls.refactor: the rewritten lines, 0-based, first and last. */
  readonly lines?: readonly number[];
}

/** genls.diagram and the asset generators: the file they wrote (and its companions). */
export interface FileAnswer {
  readonly uri: string;
  readonly uris?: readonly string[];
  readonly warnings?: readonly string[];
}

export function isEditOutcome(value: unknown): value is EditOutcome {
  return isRecord(value) && typeof value.applied === "boolean";
}

export function isFileAnswer(value: unknown): value is FileAnswer {
  return isRecord(value) && typeof value.uri === "string";
}

/** genls.changelog and genls.history: a markdown document; the changelog also says where it
 * belongs (`uri`) and, when asked to apply it, whether the editor took the edit. */
export interface MarkdownAnswer {
  readonly markdown: string;
  readonly uri?: string;
  readonly applied?: boolean | null;
}

export function isMarkdownAnswer(value: unknown): value is MarkdownAnswer {
  return isRecord(value) && typeof value.markdown === "string";
}

/** genls.commitMessage. */
export function isCommitMessage(value: unknown): value is { readonly message: string } {
  return isRecord(value) && typeof value.message === "string";
}
