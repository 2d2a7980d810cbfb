/**
 * A deterministic OpenAI-compatible model on 127.0.0.1 for the real OpenClaw gateway. Every request is recorded.
 *
 * The answer to a turn is chosen from the person's text: rules added with `when()` first, then markers
 * (`HOLD` at the start holds the answer until `release()`; `FAIL500` at the start answers HTTP 500 the first
 * time that text arrives), else an echo (`ECHO: <text>`).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  classify,
  followedToolCallId,
  interruptedText,
  type RequestKind,
  realUserText,
  recapAnswer,
  type TextMessage,
  toTextMessages,
} from "./model-messages.ts";
import { CompletionStream, plainCompletion, sendJson } from "./sse.ts";
import { Waiters } from "./waiters.ts";

/** How the model answers one turn. */
export type ModelMode =
  | { kind: "echo" }
  | { kind: "text"; text: string }
  | { kind: "hold" }
  | {
      kind: "tool";
      name: string;
      args: Record<string, unknown>;
      finalText?: string;
      /** Further tool calls, one per follow-up request, before `finalText`. */
      nextCalls?: ToolCallSpec[];
      /** Hold the answer after the last tool call open (like `HOLD`) until `release()`; `finalText` follows it. */
      thenHold?: boolean;
    }
  | { kind: "error"; status: number };

/** One tool call the fake model makes. */
export interface ToolCallSpec {
  name: string;
  args: Record<string, unknown>;
}

/** One request as the fake model saw it. */
export interface ModelRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  kind: RequestKind | "models";
  mode?: ModelMode["kind"];
  /** The person's text, without OpenClaw's timestamp prefix and Runtime block. */
  userText?: string;
  messages: TextMessage[];
  /** The request body's `messages` as sent (image parts included), for tests that look past the text. */
  rawMessages: unknown[];
  toolNames: string[];
  /** The model id OpenClaw asked for (`body.model`): shows which model a session runs on. */
  model?: string;
  /** Why a request was unexpected. */
  error?: string;
  outcome: "answered" | "held" | "released" | "aborted" | "failed";
}

/** What follows one tool call the fake made. */
interface ToolChain {
  name: string;
  finalText: string;
  nextCalls: ToolCallSpec[];
  thenHold: boolean;
}

interface Rule {
  match: (text: string) => boolean;
  mode: ModelMode;
  times: number;
}

const MODEL_ID = "echo-1";
/** The first streamed piece of a held answer; the rest follows `release()`. */
export const HOLD_FIRST_CHUNK = "Working on it. ";

/** The fake model server; create with `startFakeModel()`. */
export class FakeModel {
  /** "hold" keeps OpenClaw's restart-recovery answers open until `release()`, so a test can watch recovery run. */
  recoveryMode: "answer" | "hold" = "answer";
  /** Every request, in arrival order. */
  readonly requests: ModelRequest[] = [];
  readonly #server: Server;
  readonly #rules: Rule[] = [];
  readonly #held = new Map<ModelRequest, () => void>();
  readonly #toolCalls = new Map<string, ToolChain>();
  readonly #waiters = new Waiters<ModelRequest>();
  readonly #failedOnce = new Set<string>();
  #nextToolCall = 1;

  constructor(server: Server) {
    this.#server = server;
  }

  /** `http://127.0.0.1:<port>/v1`, the provider baseUrl for OpenClaw's config. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** Answers turns whose text matches with `mode` (the first `times` matches; default every match). */
  when(match: string | RegExp, mode: ModelMode, times = Number.POSITIVE_INFINITY): void {
    const test = typeof match === "string" ? (t: string) => t.includes(match) : (t: string) => match.test(t);
    this.#rules.push({ match: test, mode, times });
  }

  /** Requests the fake did not expect (each got an error answer); tests assert this stays empty. */
  unexpected(): ModelRequest[] {
    return this.requests.filter((r) => r.kind === "unexpected");
  }

  /** The first recorded request (past or future) matching `pred`. */
  waitForRequest(pred: (r: ModelRequest) => boolean, timeoutMs = 30_000): Promise<ModelRequest> {
    const found = this.requests.find(pred);
    if (found) return Promise.resolve(found);
    return this.#waiters.wait(pred, timeoutMs, "fake model request");
  }

  /**
   * Resolves once an answer is being held open (one already held counts). `since`: only a request after
   * that many requests counts, so an answer an earlier test left held cannot stand in for this one.
   */
  waitForHeld(timeoutMs = 30_000, since = 0): Promise<ModelRequest> {
    const held = [...this.#held.keys()].find((r) => r.seq > since);
    if (held) return Promise.resolve(held);
    return this.#waiters.wait((r) => r.outcome === "held" && r.seq > since, timeoutMs, "held model answer");
  }

  /** How many answers are held open right now. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Finishes every held answer (or only `request`). */
  release(request?: ModelRequest): void {
    for (const [r, finish] of this.#held) if (!request || r === request) finish();
  }

  /** Stops the server, dropping held answers and open connections. */
  async close(): Promise<void> {
    this.#held.clear();
    this.#waiters.rejectAll(new Error("fake model closed"));
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, "close");
  }

  /** Entry point for every HTTP request. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = { seq: 0, at: Date.now(), method: req.method ?? "", path: req.url ?? "" };
    if (req.method === "GET" && req.url === "/v1/models") {
      this.#record({ ...base, kind: "models", messages: [], rawMessages: [], toolNames: [], outcome: "answered" });
      return sendJson(res, 200, { object: "list", data: [{ id: MODEL_ID, object: "model", owned_by: "fake" }] });
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      // body stays empty; reported as unexpected below
    }
    const messages = toTextMessages(body.messages);
    const toolNames = Array.isArray(body.tools)
      ? body.tools.map((t: { function?: { name?: string } }) => String(t?.function?.name))
      : [];
    const rawMessages = Array.isArray(body.messages) ? body.messages : [];
    const record: ModelRequest = { ...base, kind: "unexpected", messages, rawMessages, toolNames, outcome: "answered" };
    if (typeof body.model === "string") record.model = body.model;
    if (req.method !== "POST" || req.url !== "/v1/chat/completions" || !Array.isArray(body.messages)) {
      return this.#reject(res, record, `no route for ${req.method} ${req.url} (or no messages in the body)`);
    }
    record.kind = classify(messages, toolNames.length > 0);
    const stream = body.stream === true;
    const usage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    // Answers as the model asked for, as a real provider does (a config may declare several ids).
    const modelId = record.model ?? MODEL_ID;
    const out = stream ? new CompletionStream(res, modelId, usage) : undefined;
    const reply = (text: string) => {
      this.#record(record);
      if (!out) return plainCompletion(res, modelId, text);
      out.text(text);
      out.finish("stop", text.length);
    };
    switch (record.kind) {
      case "title":
        return reply("E2E thread");
      case "recap":
        return reply(recapAnswer(messages));
      case "recovery": {
        record.userText = realUserText(messages);
        const answer = `RECOVERED: ${interruptedText(record.userText ?? "") ?? "continuing"}`;
        if (this.recoveryMode === "hold" && out) return this.#hold(record, res, out, answer);
        return reply(answer);
      }
      case "tool-followup": {
        const call = this.#toolCalls.get((followedToolCallId(body.messages) ?? "").replace(/[^a-zA-Z0-9]/g, ""));
        if (!call) return this.#reject(res, record, "tool result for a tool call this fake never made");
        const [next, ...rest] = call.nextCalls;
        if (next && out) return this.#toolCall(record, out, next, { ...call, nextCalls: rest });
        if (call.thenHold && out) return this.#hold(record, res, out, call.finalText);
        return reply(call.finalText);
      }
      case "unexpected":
        return this.#reject(res, record, "no user text found in the request");
      case "turn":
        return this.#turn(record, res, out, reply);
    }
  }

  #turn(record: ModelRequest, res: ServerResponse, out: CompletionStream | undefined, reply: (t: string) => void) {
    const said = realUserText(record.messages) ?? "";
    // A retried turn (e.g. after an HTTP 500) comes back wrapped as "[Queued user message …]<text>\n\nContinue …".
    const text = interruptedText(said) ?? said;
    record.userText = text;
    const mode = this.#modeFor(text);
    record.mode = mode.kind;
    switch (mode.kind) {
      case "echo":
        return reply(`ECHO: ${text}`);
      case "text":
        return reply(mode.text);
      case "error":
        record.outcome = "failed";
        this.#record(record);
        return sendJson(res, mode.status, {
          error: { message: `fake-model: HTTP ${mode.status} requested by the test` },
        });
      case "tool": {
        if (!record.toolNames.includes(mode.name)) {
          return this.#reject(res, record, `tool ${mode.name} is not offered; tools: ${record.toolNames.join(", ")}`);
        }
        if (!out) return this.#reject(res, record, "tool calls need a streaming request");
        const finalText = mode.finalText ?? `TOOL DONE: ${mode.name}`;
        const chain = { name: mode.name, finalText, nextCalls: mode.nextCalls ?? [], thenHold: mode.thenHold ?? false };
        return this.#toolCall(record, out, mode, chain);
      }
      case "hold":
        if (!out) return this.#reject(res, record, "holding needs a streaming request");
        return this.#hold(record, res, out, `ECHO: ${text}`);
    }
  }

  #toolCall(record: ModelRequest, out: CompletionStream, call: ToolCallSpec, chain: ToolChain) {
    // Letters and digits only: OpenClaw strips other characters from tool call ids (call_a_1 → calla1).
    const id = `callfake${this.#nextToolCall++}`;
    this.#toolCalls.set(id, { ...chain, name: call.name });
    this.#record(record);
    out.toolCall(id, call.name, call.args);
    out.finish("tool_calls", 0);
  }

  #hold(record: ModelRequest, res: ServerResponse, out: CompletionStream, rest: string): void {
    out.text(HOLD_FIRST_CHUNK);
    record.outcome = "held";
    this.#held.set(record, () => {
      this.#held.delete(record);
      record.outcome = "released";
      out.text(rest);
      out.finish("stop", HOLD_FIRST_CHUNK.length + rest.length);
    });
    // The gateway hanging up on a held answer is what a crash (or an abort of the run) looks like from
    // here; waiters see it, so a test can wait for the model request to be aborted.
    res.on("close", () => {
      if (!this.#held.delete(record)) return;
      record.outcome = "aborted";
      this.#waiters.offer(record);
    });
    this.#record(record);
  }

  #modeFor(text: string): ModelMode {
    const rule = this.#rules.find((r) => r.times > 0 && r.match(text));
    if (rule) {
      rule.times--;
      return rule.mode;
    }
    if (text.startsWith("HOLD")) return { kind: "hold" };
    // Once per text: OpenClaw retries a 500 (up to 8 times, with backoff) and the retry should then succeed.
    if (text.startsWith("FAIL500") && !this.#failedOnce.has(text)) {
      this.#failedOnce.add(text);
      return { kind: "error", status: 500 };
    }
    return { kind: "echo" };
  }

  #reject(res: ServerResponse, record: ModelRequest, why: string): void {
    record.kind = "unexpected";
    record.error = why;
    record.outcome = "failed";
    this.#record(record);
    sendJson(res, 400, { error: { message: `fake-model: unexpected request: ${why}`, type: "invalid_request_error" } });
  }

  #record(record: ModelRequest): void {
    if (!this.requests.includes(record)) {
      record.seq = this.requests.length + 1;
      this.requests.push(record);
    }
    this.#waiters.offer(record);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts a fake model on 127.0.0.1 with a free port. */
export async function startFakeModel(): Promise<FakeModel> {
  const server = createServer();
  const model = new FakeModel(server);
  server.on("request", (req, res) => {
    model.handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake-model crashed: ${err.message}` } });
      else res.destroy(err);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return model;
}
