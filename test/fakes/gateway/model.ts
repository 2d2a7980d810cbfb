import type { ReplyMedia } from "./media.ts";
/** The fake gateway's deterministic model: what each turn answers, and how. */

/** What the model is asked: one turn of one session. */
export interface ModelTurn {
  sessionKey: string;
  runId: string;
  /** The turn's text: the person's message, or OpenClaw's `[System]` prompt on recovery turns. */
  message: string;
  /** `user` for chat.send; `recovery` after a crash; `rollover` after sessions.recover. */
  kind: "user" | "recovery" | "rollover";
  /** On recovery and rollover turns: the last message the person wrote before the interruption. */
  interrupted?: string | undefined;
  /** What the model saw of its tool calls (a denied exec shows as an error result). */
  toolResults?: unknown[] | undefined;
}

/** A tool call the model makes before answering (agent stream "tool": start, then result). */
export interface ToolCall {
  name: string;
  args?: unknown;
  result?: unknown;
  /** How long the tool runs before its result (default 1 ms). */
  durationMs?: number | undefined;
  /** An exec that OpenClaw's policy holds for a human: asked of approval clients before it runs. */
  approval?:
    | { command: string; allowedDecisions?: ("allow-once" | "allow-always" | "deny")[]; timeoutMs?: number }
    | undefined;
}

/**
 * How one turn answers. Everything is optional; `{}` is the default echo. Order of
 * play: wait `delayMs`, emit `tools`, stream the first delta, wait for `hold`, stream
 * the rest, then `final` (or `error`).
 */
export interface ModelReply {
  /** Final answer; default `ECHO: <message>` (`RECOVERED: <interrupted>` on recovery turns). */
  text?: string | undefined;
  /** An answer of exactly this many characters of deterministic filler. */
  chars?: number | undefined;
  /** Number of deltas (default 3). */
  chunks?: number | undefined;
  /** Wait before the first event of the answer. */
  delayMs?: number | undefined;
  /** Gap between deltas (default 1 ms). */
  deltaIntervalMs?: number | undefined;
  tools?: ToolCall[] | undefined;
  /** Stream one delta, then wait until the gate is released. */
  hold?: Gate | undefined;
  /** Files the reply sends (as `MEDIA:` lines OpenClaw turns into file parts shortly after the run ends). */
  media?: ReplyMedia[] | undefined;
  /** End the run with chat state "error" and this errorMessage (after any tools and deltas before it). */
  error?: string | undefined;
}

type Matcher = string | RegExp | ((turn: ModelTurn) => boolean);
type ReplySource = ModelReply | ((turn: ModelTurn) => ModelReply);

/** A point where a held turn waits for the test. */
export class Gate {
  /** Resolves with the turn once it has streamed its first delta and is waiting. */
  readonly reached: Promise<ModelTurn>;
  #onReached!: (turn: ModelTurn) => void;
  #open!: () => void;
  readonly #opened: Promise<void>;
  #released = false;
  #abandoned = false;
  #text: string | undefined;
  readonly #notify: (gate: Gate) => void;

  constructor(notify: (gate: Gate) => void = () => {}) {
    this.#notify = notify;
    this.reached = new Promise((resolve) => {
      this.#onReached = resolve;
    });
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  /** Lets the turn finish; `text` replaces its final answer. */
  release(text?: string): void {
    this.#text = text;
    this.#released = true;
    this.#open();
  }

  /** Marks a gate whose run ended without a release (abort, crash): waitForHold skips it. */
  abandon(): void {
    this.#abandoned = true;
  }

  /** True once the gate no longer holds a live run (released or abandoned). */
  get done(): boolean {
    return this.#released || this.#abandoned;
  }

  /** True after release(). */
  get released(): boolean {
    return this.#released;
  }

  /** The replacement text given to release(), if any. */
  get text(): string | undefined {
    return this.#text;
  }

  /** Called by the run: marks the gate reached and resolves when released. */
  wait(turn: ModelTurn): Promise<void> {
    this.#onReached(turn);
    this.#notify(this);
    return this.#opened;
  }
}

const DIRECTIVE = /\[\[(hold|error|long|delay|chunks|tool)(?::([^\s\]]+))?(?:\s+([^\]]*))?\]\]/g;

/**
 * The model. Per turn it takes, in order: the next scripted reply (`next`, `hold`),
 * the first matching rule (`when`), directives in the message text, or echo.
 * Directives let whole-bot tests steer it from a chat message:
 * `[[hold]]`, `[[error]]`/`[[error:msg]]`, `[[long:5000]]`, `[[delay:200]]`,
 * `[[chunks:5]]`, `[[tool:web_search {"q":"x"}]]`.
 */
export class FakeModel {
  /** Every turn the model was asked, in order. */
  readonly turns: ModelTurn[] = [];
  readonly #script: ModelReply[] = [];
  readonly #rules: { match: Matcher; reply: ReplySource }[] = [];
  readonly #waiting: Gate[] = [];
  readonly #holdWaiters: ((gate: Gate) => void)[] = [];
  readonly #holding = new Set<Gate>();

  /** Scripts the replies of the next turns, in order (any session). */
  next(...replies: ModelReply[]): void {
    this.#script.push(...replies);
  }

  /** A lasting rule: turns whose message matches answer with `reply`. Returns its remover. */
  when(match: Matcher, reply: ReplySource): () => void {
    const rule = { match, reply };
    this.#rules.push(rule);
    return () => {
      const index = this.#rules.indexOf(rule);
      if (index >= 0) this.#rules.splice(index, 1);
    };
  }

  /** Scripts the next turn to hold after its first delta; release it through the gate. */
  hold(reply: Omit<ModelReply, "hold"> = {}): Gate {
    const gate = this.gate();
    this.next({ ...reply, hold: gate });
    return gate;
  }

  /** A new gate wired to waitForHold(), for use in `next`/`when` replies. */
  gate(): Gate {
    return new Gate((gate) => this.#reached(gate));
  }

  /** Resolves with the next gate a turn reaches (or one reached earlier and not claimed yet). */
  waitForHold(timeoutMs = 5000): Promise<Gate> {
    let ready = this.#waiting.shift();
    while (ready?.done) ready = this.#waiting.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no turn reached a hold within ${timeoutMs} ms`)), timeoutMs);
      this.#holdWaiters.push((gate) => {
        clearTimeout(timer);
        resolve(gate);
      });
    });
  }

  /** Releases every turn that is holding now. */
  releaseAll(): void {
    for (const gate of this.#holding) gate.release();
    this.#holding.clear();
    this.#waiting.length = 0;
  }

  /** Forgets scripts, rules and recorded turns. */
  reset(): void {
    this.#script.length = 0;
    this.#rules.length = 0;
    this.turns.length = 0;
  }

  /** Decides the reply of a turn (called by the run engine). */
  plan(turn: ModelTurn): ModelReply {
    this.turns.push(turn);
    const scripted = this.#script.shift();
    if (scripted) return scripted;
    for (const rule of this.#rules) {
      if (matches(rule.match, turn)) return typeof rule.reply === "function" ? rule.reply(turn) : rule.reply;
    }
    return this.#directives(turn.message);
  }

  #reached(gate: Gate): void {
    this.#holding.add(gate);
    const waiter = this.#holdWaiters.shift();
    if (waiter) waiter(gate);
    else this.#waiting.push(gate);
  }

  #directives(message: string): ModelReply {
    const reply: ModelReply = {};
    for (const [, name, arg, rest] of message.matchAll(DIRECTIVE)) {
      if (name === "hold") reply.hold = this.gate();
      if (name === "error") reply.error = rest ?? arg ?? "⚠️ Agent run failed (model: fake/echo-1).";
      if (name === "long") reply.chars = Number(arg ?? 5000);
      if (name === "delay") reply.delayMs = Number(arg ?? 100);
      if (name === "chunks") reply.chunks = Number(arg ?? 3);
      if (name === "tool") reply.tools = [...(reply.tools ?? []), { name: arg ?? "tool", args: parseArgs(rest) }];
    }
    return reply;
  }
}

function matches(match: Matcher, turn: ModelTurn): boolean {
  if (typeof match === "string") return turn.message.includes(match);
  if (match instanceof RegExp) return match.test(turn.message);
  return match(turn);
}

function parseArgs(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { input: text };
  }
}

const FILLER = "The quick brown fox jumps over the lazy dog. ";

/** Deterministic filler text of exactly `chars` characters. */
export function fillerText(chars: number): string {
  return FILLER.repeat(Math.ceil(chars / FILLER.length)).slice(0, chars);
}

/** The answer text of a turn. */
export function answerText(reply: ModelReply, turn: ModelTurn): string {
  if (reply.text !== undefined) return reply.text;
  if (reply.chars !== undefined) return fillerText(reply.chars);
  if (turn.kind === "user") return `ECHO: ${turn.message}`;
  return `RECOVERED: ${turn.interrupted ?? turn.message}`;
}

/** Splits text into `count` cumulative prefixes (the last one is the whole text). */
export function cumulativeChunks(text: string, count: number): string[] {
  const n = Math.max(1, Math.min(count, text.length || 1));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let end = size; end < text.length; end += size) out.push(text.slice(0, end));
  out.push(text);
  return out;
}
