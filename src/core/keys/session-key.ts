import { BotError, ErrorCode } from "../errors.ts";
import { isSlug } from "./thread-slug.ts";

/** OpenClaw's agent id grammar (after its normalizeAgentId). */
const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// `named` avoids OpenClaw's reserved segments (`:thread:` would make OpenClaw treat
// the session as a thread of `agent:main` and apply resetByType.thread to it).
const NAMED = /^agent:([a-z0-9][a-z0-9_-]{0,63}):named:([a-z0-9-]{1,63})$/;
const ROOT = /^agent:([a-z0-9][a-z0-9_-]{0,63}):threadkeeper:root$/;

/** The parts of a thread's session key. */
export interface NamedSessionKey {
  agentId: string;
  slug: string;
}

/** Validates an agent id from configuration. */
export function isAgentId(value: string): boolean {
  return AGENT_ID.test(value);
}

/** Builds `agent:<agentId>:named:<slug>`, the only way a thread's session key is made. */
export function encodeSessionKey({ agentId, slug }: NamedSessionKey): string {
  if (!isAgentId(agentId)) throw new BotError(ErrorCode.BadInput, `Invalid agent id: ${agentId}`);
  if (!isSlug(slug)) throw new BotError(ErrorCode.BadInput, `Invalid thread slug: ${slug}`);
  return `agent:${agentId}:named:${slug}`;
}

/** Parses a thread session key in canonical (lower-case) form; undefined for any other key. */
export function decodeSessionKey(key: string): NamedSessionKey | undefined {
  const match = NAMED.exec(canonicalSessionKey(key));
  if (!match?.[1] || !match[2] || !isSlug(match[2])) return undefined;
  return { agentId: match[1], slug: match[2] };
}

/** The per-agent root session the bot owns; `confirm` threads are its children. */
export function encodeRootSessionKey(agentId: string): string {
  if (!isAgentId(agentId)) throw new BotError(ErrorCode.BadInput, `Invalid agent id: ${agentId}`);
  return `agent:${agentId}:threadkeeper:root`;
}

/** True for a root session key made by encodeRootSessionKey. */
export function isRootSessionKey(key: string): boolean {
  return ROOT.test(canonicalSessionKey(key));
}

/**
 * The form in which keys are compared: OpenClaw lower-cases whole keys, so two
 * keys are the same session exactly when their lower-case forms are equal.
 */
export function canonicalSessionKey(key: string): string {
  return key.trim().toLowerCase();
}

/** True when two session keys name the same OpenClaw session. */
export function sameSessionKey(a: string, b: string): boolean {
  return canonicalSessionKey(a) === canonicalSessionKey(b);
}
