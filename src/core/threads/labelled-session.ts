import { GatewayReason, gatewayReason } from "../errors.ts";
import type { GatewayPort } from "../ports.ts";

/** What creating a thread's session gave: its key, the label set, and a note when it is not the name. */
export interface LabelledSession {
  sessionKey: string;
  label: string | undefined;
  labelNote: string | undefined;
}

/** sessions.create with the display name as label; on a clash, a deterministic variant; else none. */
export async function createLabelled(
  gateway: GatewayPort,
  request: { key: string; display: string; slug: string; parentSessionKey: string | undefined },
): Promise<LabelledSession> {
  const { key, display, slug, parentSessionKey } = request;
  const spawn = parentSessionKey ? { parentSessionKey, spawnDepth: 1 } : {};
  for (const label of [display, `${display} (${slug})`]) {
    try {
      const created = await gateway.createSession({ key, label, ...spawn });
      const labelNote =
        label === display
          ? undefined
          : `The label "${display}" is taken by another OpenClaw session, so this thread is labelled "${label}".`;
      return { sessionKey: created.key, label, labelNote };
    } catch (error) {
      if (!isLabelClash(error)) throw error;
    }
  }
  const created = await gateway.createSession({ key, ...spawn });
  return {
    sessionKey: created.key,
    label: undefined,
    labelNote: `Every label for "${display}" is taken in OpenClaw, so this thread has none.`,
  };
}

export function isLabelClash(error: unknown): boolean {
  return gatewayReason(error) === GatewayReason.LabelTaken;
}
