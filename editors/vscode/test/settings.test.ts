import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CLIENT_SETTINGS,
  SERVER_SETTINGS,
  explicitServerSettings,
  settingsPayload,
  unsetKeys,
  type InspectedSetting,
} from "../src/settings";
import { contributedSettings } from "./manifest";

/** An inspect() over user (global) and workspace values, as VS Code would answer it. */
function inspectFrom(
  global: Record<string, unknown>,
  workspace: Record<string, unknown> = {},
): (key: string) => InspectedSetting {
  return (key) => ({ globalValue: global[key], workspaceValue: workspace[key] });
}

describe("explicitServerSettings", () => {
  it("sends nothing when the user set nothing, so the server's and .genls.toml's values stay", () => {
    assert.deepEqual(explicitServerSettings(inspectFrom({})), {});
    assert.deepEqual(
      explicitServerSettings(() => undefined),
      {},
    );
  });

  it("keeps camelCase keys and the values as set", () => {
    const settings = explicitServerSettings(
      inspectFrom({
        maxTokens: 16,
        model: "smollm2-135m",
        index: false,
        disabledLanguages: ["md"],
      }),
    );
    assert.deepEqual(settings, {
      model: "smollm2-135m",
      maxTokens: 16,
      disabledLanguages: ["md"],
      index: false,
    });
  });

  it("lets workspace values win over user values, and folder values over both", () => {
    const settings = explicitServerSettings((key) =>
      key === "maxTokens"
        ? { globalValue: 8, workspaceValue: 16, workspaceFolderValue: 32 }
        : { globalValue: "user", workspaceValue: "workspace" },
    );
    assert.equal(settings.maxTokens, 32);
    assert.equal(settings.model, "workspace");
  });

  it("drops null, undefined and the 'automatic' values the server decides itself", () => {
    const settings = explicitServerSettings(
      inspectFrom({
        endpoint: "",
        apiKey: "",
        ggufFile: "",
        threads: 0,
        model: null,
        index: undefined,
      }),
    );
    assert.deepEqual(settings, {});
  });

  it("sends an automatic setting once the user chooses a value", () => {
    const settings = explicitServerSettings(
      inspectFrom({ threads: 4, endpoint: "http://127.0.0.1:8080", temperature: 0 }),
    );
    assert.deepEqual(settings, { threads: 4, endpoint: "http://127.0.0.1:8080", temperature: 0 });
  });

  it("never sends the client-only settings", () => {
    const settings = explicitServerSettings(
      inspectFrom({
        serverPath: "/x/genls",
        pythonPath: "/usr/bin/python3",
        "trace.server": "verbose",
      }),
    );
    assert.deepEqual(settings, {});
  });
});

describe("settingsPayload", () => {
  it("nests the settings under the genls key, as the server unwraps them", () => {
    assert.deepEqual(settingsPayload({ maxTokens: 16 }), { genls: { maxTokens: 16 } });
  });
});

describe("unsetKeys", () => {
  it("names the keys sent before and unset since", () => {
    assert.deepEqual(unsetKeys({ model: "a", maxTokens: 8 }, { model: "b" }), ["maxTokens"]);
    assert.deepEqual(unsetKeys({ model: "a" }, { model: "a", threads: 2 }), []);
  });
});

describe("package.json settings", () => {
  it("contributes exactly the server's settings and the client's own", () => {
    const expected = [...SERVER_SETTINGS.map(({ key }) => key), ...CLIENT_SETTINGS].sort();
    assert.deepEqual(Object.keys(contributedSettings).sort(), expected);
  });

  it("defaults each automatic setting to its automatic value, so defaults are never sent", () => {
    for (const { key, automatic } of SERVER_SETTINGS) {
      if (automatic !== undefined) {
        assert.equal(contributedSettings[key]?.default, automatic, key);
      }
    }
  });
});

describe("the settings of docstrings, refactors, diagrams, history and assets", () => {
  it("are sent by their camelCase keys, as set", () => {
    const values = {
      instructionModel: "smollm2-135m",
      docstringStyle: "numpy",
      docLineWidth: 72,
      diagramFolder: "docs/graphs",
      diagramMaxNodes: 30,
      historyCodeLens: false,
      assetFolder: "media",
    };
    assert.deepEqual(explicitServerSettings(inspectFrom(values)), values);
  });

  it("are contributed with the server's defaults", () => {
    const defaults: Record<string, unknown> = {
      instructionModel: "qwen2.5-coder-1.5b",
      docstringStyle: "google",
      docLineWidth: 88,
      diagramFolder: "docs/diagrams",
      diagramMaxNodes: 60,
      historyCodeLens: true,
      assetFolder: "assets/generated",
    };
    for (const [key, value] of Object.entries(defaults)) {
      assert.equal(contributedSettings[key]?.default, value, key);
    }
  });
});
