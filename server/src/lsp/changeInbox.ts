// Knows which documents have changes waiting to be applied. The JSON-RPC connection reads every message of a chunk
// from stdin at once but handles them one per event-loop turn, so when an editor sends edits faster than a document
// is analysed, the newer `didChange` notifications are already read while the scheduler is about to analyse an older
// version. The inbox wraps the stream reader, counts each document's changes read but not yet applied, and lets the
// scheduler drop that older version's analysis instead of computing and publishing a result that is already stale.

import { type DataCallback, type Disposable, type Message, type MessageReader, StreamMessageReader } from 'vscode-languageserver/node';

export class ChangeInbox {
  private readonly waiting = new Map<string, number>();

  /** A reader of `input` that notes every `textDocument/didChange` it reads before the connection handles it. */
  reader(input: NodeJS.ReadableStream): MessageReader {
    const inner = new StreamMessageReader(input);
    const note = (message: Message) => {
      const change = message as { method?: string; params?: { textDocument?: { uri?: unknown } } };
      const uri = change.method === 'textDocument/didChange' ? change.params?.textDocument?.uri : undefined;
      if (typeof uri === 'string') this.waiting.set(uri, (this.waiting.get(uri) ?? 0) + 1);
    };
    return new Proxy(inner, {
      get: (target, key, receiver) => (key === 'listen' ? (callback: DataCallback): Disposable => target.listen((message) => (note(message), callback(message))) : Reflect.get(target, key, receiver)),
    });
  }

  /** One change of `uri` was applied to its document. */
  applied(uri: string): void {
    const left = (this.waiting.get(uri) ?? 0) - 1;
    if (left > 0) this.waiting.set(uri, left);
    else this.waiting.delete(uri);
  }

  /** Drops the count of a document opened or closed (a change sent for a document that is not open is never applied). */
  forget(uri: string): void {
    this.waiting.delete(uri);
  }

  /** Whether changes to `uri` were read and are still waiting: the document's current version is about to be replaced. */
  hasWaiting(uri: string): boolean {
    return this.waiting.has(uri);
  }
}
