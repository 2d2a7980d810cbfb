import { createHash } from "node:crypto";
import { BotError, ErrorCode } from "../errors.ts";
import type { ModelChoice, TokenUsage } from "../model-usage-port.ts";
import type { Button } from "../ports.ts";
import { texts } from "../texts.ts";

/** What sessions.patch takes and /thread model shows: `provider/id`. */
export function modelRef(choice: { provider?: string | undefined; id: string }): string {
  return choice.provider ? `${choice.provider}/${choice.id}` : choice.id;
}

/**
 * The catalog entry `name` means: `provider/id`, else an id or a display name that only one model has
 * (case-insensitive). Undefined when none; BAD_INPUT when several models share it.
 */
export function findModel(choices: readonly ModelChoice[], name: string): ModelChoice | undefined {
  const wanted = name.trim().toLowerCase();
  const exact = choices.find((c) => modelRef(c).toLowerCase() === wanted);
  if (exact) return exact;
  for (const field of ["id", "name"] as const) {
    const hits = choices.filter((c) => c[field].toLowerCase() === wanted);
    if (hits.length > 1) throw new BotError(ErrorCode.BadInput, texts.ambiguousModel(name.trim(), hits.map(modelRef)));
    if (hits[0]) return hits[0];
  }
  return undefined;
}

/** "1,234 tokens, $0.0258" (the cost left out when OpenClaw has no price). */
export function usageText(usage: TokenUsage): string {
  const tokens = `${usage.totalTokens.toLocaleString("en-US")} token${usage.totalTokens === 1 ? "" : "s"}`;
  return usage.costUsd === undefined ? tokens : `${tokens}, ${dollars(usage.costUsd)}`;
}

/** "$12.35", "$0.0258": four decimals below a dollar (model costs are often fractions of a cent). */
export function dollars(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/* ───────────── the model buttons: `tk:model:<asker>:<thread>:<model>` ───────────── */

const MODEL_ACTION = /^tk:model:([A-Za-z0-9_-]{8}):([A-Za-z0-9_-]{8}):([A-Za-z0-9_-]{10})$/;

/** A short stable tag: button data must fit Telegram's 64 bytes and survive a bot restart (no state kept). */
function tag(value: string, length: number): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, length);
}

/** A pressed model button. */
export interface ModelPress {
  askerTag: string;
  threadTag: string;
  modelTag: string;
}

/** One button per model: pressing it sets that model on the thread, for the person who asked only. */
export function modelButton(choice: ModelChoice, options: { asker: string; slug: string; current: boolean }): Button {
  const label = `${options.current ? "✓ " : ""}${choice.name}`;
  return { label, data: `tk:model:${tag(options.asker, 8)}:${tag(options.slug, 8)}:${tag(modelRef(choice), 10)}` };
}

/** Parses model button data; undefined when it is not one. */
export function parseModelPress(data: string): ModelPress | undefined {
  const match = MODEL_ACTION.exec(data);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { askerTag: match[1], threadTag: match[2], modelTag: match[3] };
}

/** Whether a press came from `asker`, for `slug`, naming `choice`. */
export const pressMatches = {
  asker: (press: ModelPress, asker: string) => press.askerTag === tag(asker, 8),
  thread: (press: ModelPress, slug: string) => press.threadTag === tag(slug, 8),
  model: (press: ModelPress, choice: ModelChoice) => press.modelTag === tag(modelRef(choice), 10),
};
