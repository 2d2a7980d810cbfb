import type { Reply } from "../commands/command.ts";
import { BotError, ErrorCode } from "../errors.ts";
import type { Thread } from "../model.ts";
import type { ModelChoice, ModelUsagePort, TokenUsage } from "../model-usage-port.ts";
import type { Logger } from "../ports.ts";
import { texts } from "../texts.ts";
import {
  dollars,
  findModel,
  modelButton,
  modelRef,
  parseModelPress,
  pressMatches,
  usageText,
} from "./model-usage-format.ts";
import type { ThreadRegistry } from "./registry.ts";

/** How long /thread waits for its usage line before it answers without one. */
export const USAGE_LINE_TIMEOUT_MS = 1_500;
/** Buttons a model list carries at most (Telegram shows them one per row). */
const MAX_BUTTONS = 20;
/** Threads whose cost one sessions.usage call reads at most. */
const MAX_COST_ROWS = 1_000;
/** OpenClaw counts a transcript it has not seen in the background: how often to ask again, and how long between. */
const COUNTING_RETRIES = 10;
const COUNTING_PAUSE_MS = 500;

/** A thread's usage as /thread usage tells it. */
export interface ThreadUsage {
  total?: TokenUsage | undefined;
  lastTurn?: TokenUsage | undefined;
  /** True when OpenClaw was still counting after the retries. */
  counting: boolean;
}

/** Costs by session key, from one sessions.usage call; `complete` false while OpenClaw still counts some. */
export interface Costs {
  bySessionKey: Map<string, number>;
  complete: boolean;
}

/** A thread's model (the gateway's catalog) and what its turns cost; the commands' way to both. */
export class ModelUsage {
  readonly #gateway: ModelUsagePort & { readonly connected: boolean };
  readonly #threads: ThreadRegistry;
  readonly #agentId: string;
  readonly #logger: Logger;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    gateway: ModelUsagePort & { readonly connected: boolean };
    threads: ThreadRegistry;
    agentId: string;
    logger: Logger;
    sleep?: ((ms: number) => Promise<void>) | undefined;
  }) {
    this.#gateway = options.gateway;
    this.#threads = options.threads;
    this.#agentId = options.agentId;
    this.#logger = options.logger;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** /thread model: the thread's model, the catalog as text, and a button per model for `asker`. */
  async show(thread: Thread, asker: string): Promise<Reply> {
    this.#requireGateway();
    const [info, choices] = await Promise.all([this.#describe(thread), this.#gateway.listModels()]);
    const current = info.model ? modelRef({ provider: info.provider, id: info.model }) : undefined;
    return listing({ thread, asker, choices, current, head: texts.modelCurrent(thread.name, current) });
  }

  /** /thread model <name>: checks `name` against the catalog (OpenClaw itself accepts any id), then sets it. */
  async set(thread: Thread, name: string): Promise<string> {
    this.#requireGateway();
    const choice = findModel(await this.#gateway.listModels(), name);
    if (!choice) throw new BotError(ErrorCode.BadInput, texts.unknownModel(name.trim()));
    return this.#apply(thread, choice);
  }

  /** A model button: only for the person who asked, and only while the same thread is bound here. */
  async press(request: { data: string; conversation: string; senderId: string }): Promise<Reply | undefined> {
    const press = parseModelPress(request.data);
    if (!press) return undefined;
    if (!pressMatches.asker(press, request.senderId)) return { text: texts.notYourPicker, ephemeral: true };
    const thread = this.#threads.boundThread(request.conversation);
    if (!thread || !pressMatches.thread(press, thread.slug)) return { text: texts.pickerOutOfDate, ephemeral: true };
    this.#requireGateway();
    const choices = await this.#gateway.listModels();
    const choice = choices.find((c) => pressMatches.model(press, c));
    if (!choice) return { text: texts.modelGone, ephemeral: true };
    const head = await this.#apply(thread, choice);
    // The list is shown again with the new ✓, so the message whose button was pressed tells everyone.
    return listing({ thread, asker: request.senderId, choices, current: modelRef(choice), head });
  }

  /** Model refs matching `query`, for Discord's autocomplete. */
  async names(query: string): Promise<string[]> {
    if (!this.#gateway.connected) return [];
    const q = query.trim().toLowerCase();
    return (await this.#gateway.listModels())
      .filter((c) => q === "" || modelRef(c).toLowerCase().includes(q) || c.name.toLowerCase().includes(q))
      .map(modelRef);
  }

  /** /thread usage: the thread's whole usage and its last turn's. */
  async usage(thread: Thread): Promise<ThreadUsage> {
    this.#requireGateway();
    const info = await this.#describe(thread);
    for (let attempt = 0; ; attempt++) {
      const report = await this.#gateway.sessionUsage({ key: thread.sessionKey });
      const total = report.sessions.find((s) => s.key === thread.sessionKey)?.usage;
      const counting = !report.complete && total === undefined;
      if (!counting || attempt >= COUNTING_RETRIES) return { total, lastTurn: info.lastTurn, counting };
      await this.#sleep(COUNTING_PAUSE_MS);
    }
  }

  /** The usage line of /thread: never fails and never waits long; says so when it cannot tell. */
  async usageLine(thread: Thread): Promise<string> {
    if (!this.#gateway.connected) return texts.usageAway;
    const options = { timeoutMs: USAGE_LINE_TIMEOUT_MS };
    try {
      const [info, report] = await Promise.all([
        this.#gateway.describeSession({ key: thread.sessionKey }, options),
        this.#gateway.sessionUsage({ key: thread.sessionKey }, options),
      ]);
      const total = report.sessions.find((s) => s.key === thread.sessionKey)?.usage;
      if (!total) return report.complete ? texts.usageNone(thread.name) : texts.usageLineCounting;
      return texts.usageLine(usageText(total), info?.lastTurn ? usageText(info.lastTurn) : undefined);
    } catch (error) {
      this.#logger.debug("usage line unavailable", { slug: thread.slug, error });
      return texts.usageUnavailable;
    }
  }

  /** The cost of every thread of the agent from one sessions.usage call; undefined when the gateway cannot say. */
  async costs(threadCount: number): Promise<Costs | undefined> {
    if (!this.#gateway.connected) return undefined;
    try {
      // Rows come most recently active first over all the agent's sessions (its main session, roots, …):
      // a margin keeps threads in when a few other sessions were busier.
      const limit = Math.min(threadCount + 50, MAX_COST_ROWS);
      const report = await this.#gateway.sessionUsage({ agentId: this.#agentId, limit }, { timeoutMs: 5_000 });
      const bySessionKey = new Map<string, number>();
      for (const row of report.sessions)
        if (row.usage?.costUsd !== undefined) bySessionKey.set(row.key, row.usage.costUsd);
      return { bySessionKey, complete: report.complete };
    } catch (error) {
      this.#logger.debug("costs unavailable", { error });
      return undefined;
    }
  }

  async #apply(thread: Thread, choice: ModelChoice): Promise<string> {
    const ref = modelRef(choice);
    const info = await this.#describe(thread);
    if (info.model && modelRef({ provider: info.provider, id: info.model }) === ref) {
      return texts.modelUnchanged(thread.name, ref);
    }
    const resolved = await this.#gateway.setSessionModel({ key: thread.sessionKey, model: ref });
    this.#logger.info("thread model set", { slug: thread.slug, model: ref });
    return texts.modelSet(
      thread.name,
      resolved.model ? modelRef({ provider: resolved.provider, id: resolved.model }) : ref,
    );
  }

  async #describe(thread: Thread) {
    const info = await this.#gateway.describeSession({ key: thread.sessionKey });
    if (!info) throw new BotError(ErrorCode.NotFound, texts.sessionMissing(thread.name));
    return info;
  }

  #requireGateway(): void {
    if (!this.#gateway.connected) throw new BotError(ErrorCode.GatewayAway, texts.gatewayUnreachable);
  }
}

/** The model list under `head`: a line of refs and a button per model (at most MAX_BUTTONS). */
function listing(options: {
  thread: Thread;
  asker: string;
  choices: readonly ModelChoice[];
  current: string | undefined;
  head: string;
}): Reply {
  const { thread, asker, choices, current, head } = options;
  if (choices.length === 0) return { text: [head, texts.noModels].join("\n") };
  const shown = choices.slice(0, MAX_BUTTONS);
  const buttons = shown.map((c) => modelButton(c, { asker, slug: thread.slug, current: modelRef(c) === current }));
  return { text: [head, texts.modelChoices(shown.map(modelRef), choices.length - shown.length)].join("\n"), buttons };
}

export { dollars, usageText };
