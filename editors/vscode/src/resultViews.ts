/**
 * Shows a server command's answer in VS Code, one function per ResultView. Edits to the code
 * are not here: the server sends them as workspace/applyEdit, which vscode-languageclient
 * applies (undoable, like any edit).
 */

import * as vscode from "vscode";

import type { ResultView } from "./commands";
import {
  NO_SEARCH_HITS,
  editOutcomeMessage,
  fileWrittenMessage,
  indexSummaryMessage,
  searchHitRow,
} from "./results";
import {
  isCommitMessage,
  isEditOutcome,
  isFileAnswer,
  isIndexSummary,
  isMarkdownAnswer,
  isSearchHits,
  type SearchHit,
} from "./serverTypes";

export type ShowResult = (title: string, result: unknown) => Promise<void>;

export function resultViews(statusOutput: vscode.OutputChannel): Record<ResultView, ShowResult> {
  return {
    searchHits: (_title, result) => showSearchHits(result),
    indexSummary: (_title, result) => showIndexSummary(result),
    statusJson: async (_title, result) => {
      statusOutput.replace(JSON.stringify(result, null, 2));
      statusOutput.show(true);
    },
    editOutcome: showEditOutcome,
    openFile: openWrittenFile,
    markdown: showMarkdown,
    commitMessage: showCommitMessage,
  };
}

function unexpected(title: string, result: unknown): Error {
  return new Error(
    `the server's answer to ${title} is not what this extension reads: ${JSON.stringify(result)}`,
  );
}

async function showSearchHits(result: unknown): Promise<void> {
  if (!isSearchHits(result)) {
    throw new Error("the server's answer is not a list of search hits");
  }
  if (result.length === 0) {
    void vscode.window.showInformationMessage(NO_SEARCH_HITS);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    result.map((hit): vscode.QuickPickItem & { hit: SearchHit } => ({ ...searchHitRow(hit), hit })),
    { matchOnDescription: true, matchOnDetail: true, placeHolder: "Open a hit" },
  );
  if (picked !== undefined) {
    const { line, character } = picked.hit.range.start;
    const start = new vscode.Position(line, character);
    await vscode.window.showTextDocument(vscode.Uri.parse(picked.hit.uri), {
      selection: new vscode.Range(start, start),
    });
  }
}

async function showIndexSummary(result: unknown): Promise<void> {
  if (result !== null && !isIndexSummary(result)) {
    throw new Error("the server's answer is not an index summary");
  }
  void vscode.window.showInformationMessage(indexSummaryMessage(result));
}

async function showEditOutcome(title: string, result: unknown): Promise<void> {
  if (!isEditOutcome(result)) {
    throw unexpected(title, result);
  }
  const message = editOutcomeMessage(title, result);
  if (message !== undefined) {
    void (result.applied
      ? vscode.window.showInformationMessage(message)
      : vscode.window.showWarningMessage(message));
  }
}

/** "vscode.open" picks the right editor: text for .mmd and .svg, a viewer for .png and .wav. */
async function openWrittenFile(title: string, result: unknown): Promise<void> {
  if (!isFileAnswer(result)) {
    throw unexpected(title, result);
  }
  const uri = vscode.Uri.parse(result.uri);
  await vscode.commands.executeCommand("vscode.open", uri);
  const shown = vscode.workspace.asRelativePath(uri);
  void vscode.window.showInformationMessage(fileWrittenMessage(title, result, shown));
}

async function showMarkdown(title: string, result: unknown): Promise<void> {
  if (!isMarkdownAnswer(result)) {
    throw unexpected(title, result);
  }
  if (result.applied === true && result.uri !== undefined) {
    // Written into the workspace's file (CHANGELOG.md) by a WorkspaceEdit: show that file.
    const uri = vscode.Uri.parse(result.uri);
    await vscode.commands.executeCommand("vscode.open", uri);
    const shown = vscode.workspace.asRelativePath(uri);
    void vscode.window.showInformationMessage(
      fileWrittenMessage(title, { uri: result.uri }, shown),
    );
    return;
  }
  if (result.applied === false) {
    void vscode.window.showWarningMessage(`genls: ${title}: the edit was not applied.`);
  }
  await showUntitled(result.markdown, "markdown");
}

async function showUntitled(content: string, language: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ content, language });
  await vscode.window.showTextDocument(document);
}

/** The part of the built-in git extension's API (`vscode.git`, version 1) used here. */
interface GitApi {
  readonly repositories: readonly { readonly inputBox: { value: string } }[];
}

function gitApi(): GitApi | undefined {
  const git = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>("vscode.git");
  return git?.isActive ? git.exports.getAPI(1) : undefined;
}

/** Into the Source Control input box, where it is committed from; else a document to copy. */
async function showCommitMessage(title: string, result: unknown): Promise<void> {
  if (!isCommitMessage(result)) {
    throw unexpected(title, result);
  }
  const repository = gitApi()?.repositories[0];
  if (repository === undefined) {
    await showUntitled(result.message, "git-commit");
    return;
  }
  repository.inputBox.value = result.message;
  await vscode.commands.executeCommand("workbench.view.scm");
}
