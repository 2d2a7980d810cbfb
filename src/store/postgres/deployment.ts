import type pg from "pg";
import { z } from "zod";
import { BotError, ErrorCode } from "../../core/errors.ts";

/**
 * One database is one deployment: every process on it must talk to the same gateway, since the
 * threads' session keys and the journal's run ids mean something only there. The first process
 * writes the gateway URL; a process configured with another one is refused at start, naming both
 * (two deployments pointed at one database by mistake would otherwise answer each other's turns).
 */

const DeploymentSchema = z.object({ gatewayUrl: z.string() });

export async function claimDeployment(pool: pg.Pool, gatewayUrl: string, where: string): Promise<void> {
  await pool.query("insert into tk_meta (key, value) values ('deployment', $1::jsonb) on conflict (key) do nothing", [
    JSON.stringify({ gatewayUrl }),
  ]);
  const result = await pool.query<{ value: unknown }>("select value from tk_meta where key = 'deployment'");
  const parsed = DeploymentSchema.safeParse(result.rows[0]?.value);
  if (!parsed.success) {
    throw new BotError(ErrorCode.StoreCorrupt, `The Postgres store at ${where} has an unreadable deployment record.`);
  }
  if (parsed.data.gatewayUrl !== gatewayUrl) {
    throw new BotError(
      ErrorCode.Config,
      `The Postgres store at ${where} belongs to the deployment on gateway ${parsed.data.gatewayUrl}, but this process is configured for ${gatewayUrl}. Point STORE_URL at this deployment's own database (or, if the gateway really moved, delete the row 'deployment' of tk_meta).`,
    );
  }
}
