/**
 * genls settings as VS Code stores them -> the `{genls: {...}}` object the server receives
 * in `initializationOptions` and `workspace/didChangeConfiguration`.
 *
 * Only values the user set (user, workspace or folder settings) are sent. The server ranks
 * the workspace's `.genls.toml` / `[tool.genls]` below initializationOptions, so sending
 * VS Code's defaults would silently override a project's own configuration.
 *
 * Pure (no `vscode` import) so that plain Node can unit-test it.
 */

/** A setting of the server (genls/config.py `Settings`), by its camelCase key. */
export interface ServerSetting {
  readonly key: string;
  /**
   * The VS Code value that means "let the server decide" and is therefore not sent: the
   * server's own default is null (no endpoint) or computed (threads = physical cores), and
   * VS Code's settings editor handles a plain string or number better than a null.
   */
  readonly automatic?: string | number;
}

export const SERVER_SETTINGS: readonly ServerSetting[] = [
  { key: "model" },
  { key: "backend" },
  { key: "endpoint", automatic: "" },
  { key: "apiKey", automatic: "" },
  { key: "ggufFile", automatic: "" },
  { key: "instructionModel" },
  { key: "nextEdit" },
  { key: "nextEditModel", automatic: "" },
  { key: "nextEditLines" },
  { key: "docstringStyle" },
  { key: "docLineWidth" },
  { key: "threads", automatic: 0 },
  { key: "contextTokens" },
  { key: "suffixTokens" },
  { key: "maxTokens" },
  { key: "maxLines" },
  { key: "temperature" },
  { key: "fimFormat" },
  { key: "prewarm" },
  { key: "debounceMs" },
  { key: "disabledLanguages" },
  { key: "logLevel" },
  { key: "index" },
  { key: "indexFolder" },
  { key: "maxFileBytes" },
  { key: "embeddingModel" },
  { key: "diagramFolder" },
  { key: "diagramMaxNodes" },
  { key: "historyCodeLens" },
  { key: "assetFolder" },
];

/** Settings only the extension reads: how to start the server, and the client's LSP trace. */
export const CLIENT_SETTINGS: readonly string[] = ["serverPath", "pythonPath", "trace.server"];

/** The section all settings live under: `genls.model`, `genls.serverPath`, ... */
export const SECTION = "genls";

/**
 * Server settings by camelCase key. Values are passed through as the user wrote them: the
 * server checks names and types and reports a wrong one by name (window/showMessage).
 */
export type GenlsSettings = Readonly<Record<string, unknown>>;

/** The part of VS Code's `WorkspaceConfiguration.inspect()` result this module reads. */
export interface InspectedSetting {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

export type InspectSetting = (key: string) => InspectedSetting | undefined;

/** The settings the user set explicitly; the most specific scope wins, as in VS Code. */
export function explicitServerSettings(inspect: InspectSetting): GenlsSettings {
  const settings: Record<string, unknown> = {};
  for (const { key, automatic } of SERVER_SETTINGS) {
    const seen = inspect(key);
    // `??` also skips a null a user may have typed into settings.json: null means "unset".
    const value = seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue;
    if (value !== undefined && value !== null && value !== automatic) {
      settings[key] = value;
    }
  }
  return settings;
}

/** What both `initializationOptions` and didChangeConfiguration's `settings` carry. */
export function settingsPayload(settings: GenlsSettings): { genls: GenlsSettings } {
  return { genls: settings };
}

/**
 * Keys sent before that are no longer set. The server merges each didChangeConfiguration
 * into what it had, so an unset key keeps its old value there until the server restarts.
 */
export function unsetKeys(before: GenlsSettings, after: GenlsSettings): string[] {
  return Object.keys(before).filter((key) => !(key in after));
}
