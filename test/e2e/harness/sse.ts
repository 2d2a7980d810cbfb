/** OpenAI chat-completions wire format, streaming (SSE `chat.completion.chunk`) and plain. */
import type { ServerResponse } from "node:http";

let nextId = 1;

/** One streamed completion: write text pieces or a tool call, then finish. */
export class CompletionStream {
  readonly #res: ServerResponse;
  readonly #id = `chatcmpl-fake-${nextId++}`;
  readonly #model: string;
  readonly #usage: boolean;
  #started = false;

  constructor(res: ServerResponse, model: string, includeUsage: boolean) {
    this.#res = res;
    this.#model = model;
    this.#usage = includeUsage;
  }

  #chunk(choices: unknown[], extra: Record<string, unknown> = {}): void {
    if (!this.#started) {
      this.#res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      this.#started = true;
    }
    const created = Math.floor(Date.now() / 1000);
    const body = { id: this.#id, object: "chat.completion.chunk", created, model: this.#model, choices, ...extra };
    this.#res.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  /** Streams a piece of assistant text. */
  text(content: string): void {
    this.#chunk([{ index: 0, delta: { role: "assistant", content }, finish_reason: null }]);
  }

  /** Streams one complete tool call (name, then arguments, as real providers split it). */
  toolCall(id: string, name: string, args: Record<string, unknown>): void {
    const call = { index: 0, id, type: "function", function: { name, arguments: "" } };
    this.#chunk([{ index: 0, delta: { role: "assistant", tool_calls: [call] }, finish_reason: null }]);
    const argsDelta = { index: 0, function: { arguments: JSON.stringify(args) } };
    this.#chunk([{ index: 0, delta: { tool_calls: [argsDelta] }, finish_reason: null }]);
  }

  /** Ends the completion with `finish_reason`, an optional usage chunk, and `[DONE]`. */
  finish(reason: "stop" | "tool_calls", outputChars: number): void {
    this.#chunk([{ index: 0, delta: {}, finish_reason: reason }]);
    if (this.#usage) {
      const completion = Math.max(1, Math.ceil(outputChars / 4));
      this.#chunk([], { usage: { prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion } });
    }
    this.#res.end("data: [DONE]\n\n");
  }
}

/** Answers a non-streaming request with one `chat.completion` object. */
export function plainCompletion(res: ServerResponse, model: string, content: string): void {
  const body = {
    id: `chatcmpl-fake-${nextId++}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
  sendJson(res, 200, body);
}

/** Sends a JSON response (also used for OpenAI-style `{error:{message}}` bodies). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
