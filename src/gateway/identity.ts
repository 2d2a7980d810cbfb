/**
 * The session calls behind /thread fork, reset and delete (docs/openclaw-thread-identity.md).
 * @module
 */
import { z } from "zod";
import type { GatewayClientBase } from "./base-client.ts";
import type { RequestOptions } from "./options.ts";

/** sessions.create (fork) result: the new key and session id; the entry is not read. */
const ForkResultSchema = z.looseObject({ key: z.string(), sessionId: z.string() });

/** sessions.reset result: the row under the same key, with its new sessionId. */
const ResetResultSchema = z.looseObject({
  key: z.string(),
  entry: z.looseObject({ sessionId: z.string().optional() }).optional(),
});

/** sessions.delete result: whether a row was deleted (false when there was none). */
const DeleteResultSchema = z.looseObject({ key: z.string(), deleted: z.boolean() });

/** sessions.create with fork: the parent's transcript through its last completed answer. */
export async function forkSession(
  client: GatewayClientBase,
  params: { key: string; parentSessionKey: string; label?: string | undefined; spawnDepth?: number | undefined },
  options?: RequestOptions,
): Promise<{ key: string; sessionId: string }> {
  const wire = {
    key: params.key,
    parentSessionKey: params.parentSessionKey,
    fork: true,
    // A plain fork is refused while the parent runs a turn; this one copies up to its last answer.
    forkFrom: "last-completed",
    ...(params.label === undefined ? {} : { label: params.label }),
    ...(params.spawnDepth === undefined ? {} : { spawnDepth: params.spawnDepth }),
  };
  const result = await client.call("sessions.create", wire, options, ForkResultSchema);
  return { key: result.key, sessionId: result.sessionId };
}

/** sessions.reset (reason "reset"), guarded by the session id the bot saw when it can give one. */
export async function resetSession(
  client: GatewayClientBase,
  params: { key: string; expectedSessionId?: string | undefined },
  options?: RequestOptions,
): Promise<{ sessionId?: string | undefined }> {
  const expected = params.expectedSessionId === undefined ? {} : { expectedSessionId: params.expectedSessionId };
  const wire = { key: params.key, reason: "reset", ...expected };
  const result = await client.call("sessions.reset", wire, options, ResetResultSchema);
  return { sessionId: result.entry?.sessionId };
}

/** sessions.delete: the row goes and OpenClaw archives the transcript (deleteTranscript defaults to true). */
export async function deleteSession(
  client: GatewayClientBase,
  params: { key: string },
  options?: RequestOptions,
): Promise<{ deleted: boolean }> {
  const result = await client.call("sessions.delete", { key: params.key }, options, DeleteResultSchema);
  return { deleted: result.deleted };
}
