/** The extension's package.json, as the tests read it (from out/test/ after compilation). */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const PACKAGE_ROOT = resolve(__dirname, "..", "..");

export interface ContributedSetting {
  readonly type: string;
  readonly default: unknown;
}

export interface ContributedKeybinding {
  readonly command: string;
  readonly key: string;
  readonly when?: string;
}

export interface ContributedCommand {
  readonly command: string;
  readonly title: string;
  readonly category?: string;
}

interface Manifest {
  readonly contributes: {
    readonly configuration: { readonly properties: Record<string, ContributedSetting> };
    readonly commands: readonly ContributedCommand[];
    readonly keybindings?: readonly ContributedKeybinding[];
    readonly menus?: Record<
      string,
      readonly { readonly command: string; readonly when?: string }[]
    >;
  };
}

export const manifest = JSON.parse(
  readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8"),
) as Manifest;

/** Contributed settings by key without the `genls.` prefix. */
export const contributedSettings: Record<string, ContributedSetting> = Object.fromEntries(
  Object.entries(manifest.contributes.configuration.properties).map(([key, value]) => [
    key.replace(/^genls\./, ""),
    value,
  ]),
);
