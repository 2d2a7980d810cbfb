import type { Services } from "../commands/services.ts";
import type { Thread } from "../model.ts";

/** The status word of a thread (DESIGN §4): idle, running, interrupted, awaiting resume, recovering, queued (n). */
export function threadStatus(services: Pick<Services, "relay">, thread: Thread): string {
  const queued = services.relay.queued(thread.slug).length;
  const base = services.relay.isActive(thread.slug) ? "running" : thread.state.replace("-", " ");
  return queued > 0 ? `${base}, queued (${queued})` : base;
}

/** A compact age like "5 min ago". */
export function ago(now: number, then: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** A UTC date-time without seconds. */
export function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
