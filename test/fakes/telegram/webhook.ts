import type { FakeUpdate, UpdateQueue } from "./updates.ts";

/** How the fake delivers updates once a webhook is set. */
export interface WebhookDeliveryOptions {
  /**
   * A load balancer in front of several processes: each delivery (and each retry) goes to one of
   * these URLs at random instead of the URL setWebhook named.
   */
  targets?: readonly string[] | undefined;
  /** The fraction of updates delivered a second time after a successful delivery (0 to 1). */
  duplicateRate?: number | undefined;
  /** Pause before retrying a delivery that failed (default 50 ms). */
  retryDelayMs?: number | undefined;
  /** Attempts per delivery before the fake gives up on an update, as Telegram does (default 30). */
  maxAttempts?: number | undefined;
  /** Random numbers in [0, 1) (a seeded generator makes a run repeatable). */
  random?: (() => number) | undefined;
}

/** One POST of an update to the webhook. */
export interface Delivery {
  updateId: number;
  url: string;
  /** The HTTP status; undefined when the connection failed (`error`). */
  status?: number | undefined;
  error?: string | undefined;
  at: number;
}

/** What setWebhook set. */
export interface WebhookSetting {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
  allowedUpdates: unknown;
}

/**
 * Telegram's webhook delivery: while a webhook is set, every queued update is POSTed to it with the
 * secret in X-Telegram-Bot-Api-Secret-Token, one at a time in update_id order (as with
 * max_connections 1), and retried after a non-2xx answer or a connection error, up to `maxAttempts`.
 */
export class WebhookDelivery {
  readonly deliveries: Delivery[] = [];
  /** Updates given up on after maxAttempts. */
  readonly dropped: number[] = [];
  options: WebhookDeliveryOptions = {};
  #setting: WebhookSetting | undefined;
  #abort = new AbortController();
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  readonly #queue: UpdateQueue;

  constructor(queue: UpdateQueue) {
    this.#queue = queue;
  }

  /** The webhook set, if any. */
  get setting(): WebhookSetting | undefined {
    return this.#setting;
  }

  /** setWebhook: starts delivering (or re-points delivery at a new URL). */
  set(params: Record<string, unknown>): void {
    this.#setting = {
      url: String(params.url ?? ""),
      secretToken: typeof params.secret_token === "string" ? params.secret_token : undefined,
      maxConnections: Number(params.max_connections ?? 40),
      allowedUpdates: params.allowed_updates,
    };
    this.#queue.allow(params.allowed_updates);
    if (params.drop_pending_updates === true || params.drop_pending_updates === "true") this.#queue.drop();
    this.#queue.onPush(() => this.#wake?.());
    this.#loop ??= this.#run();
    this.#wake?.();
  }

  /** deleteWebhook: stops delivering; undelivered updates wait for getUpdates. */
  async delete(): Promise<void> {
    this.#setting = undefined;
    this.#queue.onPush(undefined);
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    this.#abort = new AbortController();
  }

  async #run(): Promise<void> {
    while (this.#setting) {
      const update = this.#queue.next();
      if (!update) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      const delivered = await this.#deliver(update);
      if (!this.#setting) return;
      this.#queue.confirm(update.update_id);
      if (!delivered) this.dropped.push(update.update_id);
      else if (this.#random() < (this.options.duplicateRate ?? 0)) await this.#deliver(update);
    }
  }

  /** POSTs one update until a 2xx answer; false when it gave up (or the webhook went away). */
  async #deliver(update: FakeUpdate): Promise<boolean> {
    const attempts = this.options.maxAttempts ?? 30;
    for (let attempt = 1; attempt <= attempts && this.#setting; attempt++) {
      if (await this.#post(this.#setting, update)) return true;
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 50));
    }
    return false;
  }

  async #post(setting: WebhookSetting, update: FakeUpdate): Promise<boolean> {
    const targets = this.options.targets ?? [];
    const url =
      targets.length > 0 ? (targets[Math.floor(this.#random() * targets.length)] ?? setting.url) : setting.url;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (setting.secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = setting.secretToken;
    const at = Date.now();
    try {
      const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(10_000)]);
      const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(update), signal });
      await response.arrayBuffer();
      this.deliveries.push({ updateId: update.update_id, url, status: response.status, at });
      return response.ok;
    } catch (error) {
      this.deliveries.push({ updateId: update.update_id, url, error: String(error), at });
      return false;
    }
  }

  #random(): number {
    return (this.options.random ?? Math.random)();
  }
}
