/**
 * Tells the server where the cursor comes to rest (`genls/didMoveCursor`), so that it prefills
 * the prompt there before the first keystroke: the first suggestion at a new place then costs
 * a keystroke's worth of model time instead of a whole prompt's.
 *
 * Moves that come with an edit (typing) are not reported: the inline completion request each
 * keystroke makes already says where the cursor is. A move is typing when the document's
 * version changed since the editor's previous move; that needs no timing guesses.
 */

import * as vscode from "vscode";

export const CURSOR_NOTIFICATION = "genls/didMoveCursor";
/** How long the cursor must stay put before it is reported (arrow keys held down move it often). */
const REST_MS = 250;

export interface CursorParams {
  readonly textDocument: { readonly uri: string };
  readonly position: { readonly line: number; readonly character: number };
}

/** Sends the notification (the session does, to the running server, or drops it). */
export type CursorSink = (document: vscode.TextDocument, position: vscode.Position) => void;

export class CursorReporter implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Document URI -> its version at the last cursor move seen in it. */
  private readonly versions = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly send: CursorSink) {
    this.subscriptions = [
      vscode.window.onDidChangeTextEditorSelection((event) => this.moved(event.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.moved(editor)),
      vscode.workspace.onDidCloseTextDocument((document) =>
        this.versions.delete(document.uri.toString()),
      ),
    ];
  }

  /** Reports the active editor's cursor (a server that has just started knows none). */
  reportActive(): void {
    const editor = vscode.window.activeTextEditor;
    if (editor !== undefined) {
      this.versions.delete(editor.document.uri.toString());
      this.moved(editor);
    }
  }

  private moved(editor: vscode.TextEditor): void {
    const document = editor.document;
    const key = document.uri.toString();
    const previous = this.versions.get(key);
    this.versions.set(key, document.version);
    clearTimeout(this.timer);
    const typed = previous !== undefined && previous !== document.version;
    if (typed || !editor.selection.isEmpty) {
      return;
    }
    const version = document.version;
    this.timer = setTimeout(() => {
      if (document.version === version && !document.isClosed) {
        this.send(document, editor.selection.active);
      }
    }, REST_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}
