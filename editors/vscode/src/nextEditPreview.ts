/**
 * genls: Go to Next Edit: asks the server's `genls/nextEdit` at the cursor and previews the
 * answer in the editor: the old text struck through on a red background, the new text drawn
 * after it. An edit away from the cursor is a jump: the cursor moves to it first. Tab applies
 * the edit as one undo step and tells the server (`genls.acceptedNextEdit`); Escape, an edit
 * of the document or a move of the cursor away dismisses it.
 *
 * Near the cursor the server also offers the same edit as an inline completion that replaces
 * text, which VS Code shows by itself; this command is for the edits further away.
 */

import * as vscode from "vscode";

import { NEXT_EDIT_COMMAND } from "./commands";
import {
  ACCEPT_NEXT_EDIT,
  DISMISS_NEXT_EDIT,
  NEXT_EDIT_VISIBLE,
  NO_NEXT_EDIT,
  NO_NEXT_EDIT_MS,
  insertedEnd,
  isNearCursor,
  isNextEdit,
  nextEditFailure,
  previewMessage,
  previewParts,
  type LspRange,
  type NextEdit,
} from "./nextEdit";
import type { LspPosition } from "./serverTypes";
import type { ServerSession } from "./session";

/** The edit on screen, and where the cursor must stay for it to stay there. */
interface Shown {
  readonly editor: vscode.TextEditor;
  readonly edit: NextEdit;
  readonly range: vscode.Range;
  /** Where the cursor is while the preview shows; a move elsewhere dismisses it. */
  readonly cursor: LspPosition;
  readonly status: vscode.Disposable;
}

export class NextEditPreview implements vscode.Disposable {
  private shown: Shown | undefined;
  private asking: vscode.CancellationTokenSource | undefined;
  private readonly removedText = vscode.window.createTextEditorDecorationType({
    textDecoration: "line-through",
    backgroundColor: new vscode.ThemeColor("diffEditor.removedTextBackground"),
  });
  private readonly insertedText = vscode.window.createTextEditorDecorationType({
    after: {
      backgroundColor: new vscode.ThemeColor("diffEditor.insertedTextBackground"),
      color: new vscode.ThemeColor("editor.foreground"),
      margin: "0 0 0 0.25em",
    },
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly session: ServerSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.commands.registerCommand(NEXT_EDIT_COMMAND.id, () => this.show()),
      vscode.commands.registerCommand(ACCEPT_NEXT_EDIT, () => this.accept()),
      vscode.commands.registerCommand(DISMISS_NEXT_EDIT, () => this.dismiss()),
      vscode.workspace.onDidChangeTextDocument((event) => {
        // An event with no changes only says the document became dirty or clean.
        if (event.contentChanges.length > 0 && event.document === this.shown?.editor.document) {
          this.dismiss();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        const shown = this.shown;
        const active = event.selections[0]?.active;
        if (
          shown !== undefined &&
          (event.textEditor !== shown.editor || !at(active, shown.cursor))
        ) {
          this.dismiss();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor !== this.shown?.editor) {
          this.dismiss();
        }
      }),
    ];
  }

  /** Asks for the next edit at the active editor's cursor and previews it. */
  async show(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) {
      void vscode.window.showErrorMessage(`genls: ${NEXT_EDIT_COMMAND.title} needs an open file.`);
      return;
    }
    this.dismiss();
    this.asking?.cancel();
    const asking = new vscode.CancellationTokenSource();
    this.asking = asking;
    const document = editor.document;
    const version = document.version;
    const cursor = editor.selection.active;
    let answer: unknown;
    try {
      answer = await this.session.nextEdit(document, cursor, asking.token);
    } catch (error) {
      if (!asking.token.isCancellationRequested) {
        void vscode.window.showErrorMessage(nextEditFailure(error));
      }
      return;
    } finally {
      asking.dispose();
      if (this.asking === asking) {
        this.asking = undefined;
      }
    }
    // Typed meanwhile, or asked again: this answer is for a text that is gone.
    if (asking.token.isCancellationRequested || document.version !== version) {
      return;
    }
    if (!isNextEdit(answer)) {
      vscode.window.setStatusBarMessage(NO_NEXT_EDIT, NO_NEXT_EDIT_MS);
      return;
    }
    const target =
      vscode.Uri.parse(answer.uri).toString() === document.uri.toString()
        ? editor
        : await vscode.window.showTextDocument(vscode.Uri.parse(answer.uri));
    this.preview(target, answer, target === editor ? cursor : undefined);
  }

  /** Applies the previewed edit (one undo step) and tells the server it was taken. */
  async accept(): Promise<void> {
    const shown = this.shown;
    if (shown === undefined) {
      return;
    }
    this.dismiss();
    const { editor, edit, range } = shown;
    const applied = await editor.edit((builder) => builder.replace(range, edit.newText));
    if (!applied) {
      return;
    }
    editor.selection = selectionAt(insertedEnd(edit.range.start, edit.newText));
    const command = edit.command;
    if (command === undefined || command === null) {
      return;
    }
    try {
      // The client registered the server's commands; it sends this one as executeCommand.
      await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    } catch (error) {
      this.log.warn(`${command.command} after a next edit: ${String(error)}`);
    }
  }

  dismiss(): void {
    const shown = this.shown;
    if (shown === undefined) {
      return;
    }
    this.shown = undefined;
    shown.editor.setDecorations(this.removedText, []);
    shown.editor.setDecorations(this.insertedText, []);
    shown.status.dispose();
    void vscode.commands.executeCommand("setContext", NEXT_EDIT_VISIBLE, false);
  }

  dispose(): void {
    this.asking?.cancel();
    this.dismiss();
    this.removedText.dispose();
    this.insertedText.dispose();
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }

  /** `cursor`: where the person asked, in this editor; undefined when the edit is elsewhere. */
  private preview(
    editor: vscode.TextEditor,
    edit: NextEdit,
    cursor: LspPosition | undefined,
  ): void {
    const range = asRange(edit.range);
    const jump = cursor === undefined || !isNearCursor(edit.range, cursor);
    const shownCursor = jump ? edit.range.start : cursor;
    this.shown = {
      editor,
      edit,
      range,
      cursor: shownCursor,
      status: vscode.window.setStatusBarMessage(previewMessage(edit)),
    };
    if (jump) {
      // Set after `shown`: the selection change this fires must not dismiss the preview.
      editor.selection = selectionAt(shownCursor);
    }
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    const hoverMessage = previewMessage(edit);
    const { removed, inserted } = previewParts(edit);
    editor.setDecorations(
      this.removedText,
      removed === undefined ? [] : [{ range: asRange(removed), hoverMessage }],
    );
    editor.setDecorations(
      this.insertedText,
      inserted === undefined
        ? []
        : [
            {
              range: asRange({ start: inserted.at, end: inserted.at }),
              hoverMessage,
              renderOptions: { after: { contentText: inserted.text } },
            },
          ],
    );
    void vscode.commands.executeCommand("setContext", NEXT_EDIT_VISIBLE, true);
  }
}

function asRange(range: LspRange): vscode.Range {
  return new vscode.Range(
    range.start.line,
    range.start.character,
    range.end.line,
    range.end.character,
  );
}

function selectionAt(position: LspPosition): vscode.Selection {
  const at = new vscode.Position(position.line, position.character);
  return new vscode.Selection(at, at);
}

function at(position: vscode.Position | undefined, expected: LspPosition): boolean {
  return position?.line === expected.line && position.character === expected.character;
}
