import type { Logger } from "../../core/ports.ts";

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

/**
 * Runs `attempt` until it succeeds, pausing 0.1 s, doubling to 2 s, between tries: Postgres restarting
 * under the bot delays a write or a read, it does not fail it, so the bot carries on by itself after.
 * `fatal` errors (the lease lost, the store closed) end the tries at once.
 */
export async function untilDone<T>(
  attempt: () => Promise<T>,
  options: { what: "write" | "read"; logger: Logger; fatal: (error: unknown) => boolean },
): Promise<T> {
  let pause = FIRST_RETRY_MS;
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      if (tries > 1) options.logger.info(`postgres: ${options.what}s go through again`, { attempts: tries });
      return result;
    } catch (error) {
      if (options.fatal(error)) throw error;
      if (tries === 1) {
        options.logger.warn(`postgres: a ${options.what} failed; retrying`, { error: errorMessage(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, MAX_RETRY_MS);
    }
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
