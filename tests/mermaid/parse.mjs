// Parses each Mermaid diagram given as a JSON array of strings on stdin with Mermaid's own
// grammar and prints a JSON array of {ok, type} or {ok: false, error}. Node has no DOM;
// happy-dom gives mermaid's sanitizer (DOMPurify) the window it needs.
import { Window } from "happy-dom";

const window = new Window();
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
