import type pg from "pg";
import type { Logger } from "../../core/ports.ts";
import { PostgresUpdateQueue } from "./postgres-update-queue.ts";
import { type ListenAddress, WebhookServer } from "./webhook-server.ts";

/**
 * Webhooks with several processes on Postgres: every process takes updates from the moment it starts,
 * a standby too, since the load balancer may send any update to any process. An update is answered
 * 200 once it is in tk_telegram_updates; the active process's channel handles the queue.
 */
export interface WebhookFront {
  queue: PostgresUpdateQueue;
  server: WebhookServer;
  /** Stops taking updates (last, on shutdown: until then this process still records what it is sent). */
  stop(): Promise<void>;
}

export async function startWebhookFront(options: {
  url: string;
  secret: string;
  listen: ListenAddress;
  pool: pg.Pool;
  storeUrl: string;
  logger: Logger;
  /** Whether this process handles the queue now (the health answer says so). */
  handling: () => boolean;
}): Promise<WebhookFront> {
  const queue = new PostgresUpdateQueue({ pool: options.pool, url: options.storeUrl, logger: options.logger });
  const server = new WebhookServer({
    path: new URL(options.url).pathname,
    secret: options.secret,
    listen: options.listen,
    queue,
    logger: options.logger,
    health: () => ({ mode: "webhook", handling: options.handling() }),
  });
  const bound = await server.start();
  options.logger.info("telegram: taking webhook updates", { listen: bound });
  return {
    queue,
    server,
    async stop() {
      await server.stop();
      await queue.close();
    },
  };
}
