/**
 * Which command starts the server, and what to tell the user when it does not start.
 *
 * Pure (no `vscode` import): the messages are the extension's whole install guide at the
 * moment a user needs it, so every case is unit-tested.
 */

export interface LaunchSettings {
  /** `genls.serverPath`: the `genls` executable, e.g. /path/to/genls/.venv/bin/genls. */
  readonly serverPath?: string | undefined;
  /** `genls.pythonPath`: a Python that has genls installed. */
  readonly pythonPath?: string | undefined;
}

export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** The setting that chose the command; error messages point at it. */
  readonly origin: "serverPath" | "pythonPath" | "PATH";
}

const SERVE = ["serve"];

/** `genls.serverPath`, else `genls.pythonPath -m genls`, else `genls` on PATH. */
export function resolveServerCommand(settings: LaunchSettings, home: string): ServerCommand {
  const serverPath = expandHome(settings.serverPath?.trim() ?? "", home);
  if (serverPath) {
    return { command: serverPath, args: SERVE, origin: "serverPath" };
  }
  const pythonPath = expandHome(settings.pythonPath?.trim() ?? "", home);
  if (pythonPath) {
    return { command: pythonPath, args: ["-m", "genls", ...SERVE], origin: "pythonPath" };
  }
  return { command: "genls", args: SERVE, origin: "PATH" };
}

/** Users copy paths from a shell; VS Code does not expand `~` for them. */
function expandHome(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? home + path.slice(1) : path;
}

/** Why the server did not start, as far as the extension could observe it. */
export type StartFailure =
  | { readonly kind: "notFound" }
  | { readonly kind: "notExecutable" }
  | {
      readonly kind: "exited";
      readonly code: number | null;
      readonly signal: string | null;
      readonly stderr: string;
    }
  | { readonly kind: "other" };

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** Classify a failed start from the spawn error (if any) and how the process ended (if it did). */
export function classifyStartFailure(
  spawnError: unknown,
  exit: ProcessExit | undefined,
  stderr: string,
): StartFailure {
  const code = (spawnError as { code?: unknown } | undefined)?.code;
  if (code === "ENOENT") {
    return { kind: "notFound" };
  }
  if (code === "EACCES") {
    return { kind: "notExecutable" };
  }
  if (exit !== undefined) {
    return { kind: "exited", code: exit.code, signal: exit.signal, stderr };
  }
  return { kind: "other" };
}

const EXAMPLE_PATH = "/path/to/genls/.venv/bin/genls";
const SEE_LOG = 'The full log is in the "genls" output.';
const MAKE_SETUP = "or run `make setup` in the genls checkout to create it";

/** One message that says what to install or configure. */
export function startFailureMessage(server: ServerCommand, failure: StartFailure): string {
  switch (failure.kind) {
    case "notFound":
      return notFoundMessage(server);
    case "notExecutable":
      return server.origin === "pythonPath"
        ? `genls: ${server.command} is not executable: set genls.pythonPath to a Python that has genls installed.`
        : `genls: ${server.command} is not executable: set genls.serverPath to the genls executable, e.g. ${EXAMPLE_PATH}.`;
    case "exited":
      return exitedMessage(server, failure.code, failure.signal, failure.stderr);
    case "other":
      return `genls could not start (${server.command} ${server.args.join(" ")}). ${SEE_LOG}`;
  }
}

function notFoundMessage(server: ServerCommand): string {
  switch (server.origin) {
    case "serverPath":
      return `genls was not found at ${server.command}: set genls.serverPath to ${EXAMPLE_PATH}, ${MAKE_SETUP}.`;
    case "pythonPath":
      return `genls: Python was not found at ${server.command}: fix genls.pythonPath, or set genls.serverPath to ${EXAMPLE_PATH}.`;
    case "PATH":
      return `genls was not found: set genls.serverPath to ${EXAMPLE_PATH}, ${MAKE_SETUP}.`;
  }
}

function exitedMessage(
  server: ServerCommand,
  code: number | null,
  signal: string | null,
  stderr: string,
): string {
  if (server.origin === "pythonPath" && /No module named genls\b/.test(stderr)) {
    return `genls is not installed in ${server.command}: install it there (\`pip install -e /path/to/genls\`), or set genls.serverPath to ${EXAMPLE_PATH}.`;
  }
  const how = signal !== null ? `signal ${signal}` : `exit code ${code ?? "unknown"}`;
  const reason = lastLine(stderr);
  const detail = reason ? `: ${reason}` : "";
  return `genls stopped while starting (${how})${detail}. ${SEE_LOG}`;
}

/** The server's one-line errors (and Python's tracebacks) end with the line that matters. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim().replace(/\.$/, ""));
  return lines.filter((line) => line.length > 0).at(-1) ?? "";
}
