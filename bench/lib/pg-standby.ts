/**
 * A standby process for the `postgres` section: `node bench/lib/pg-standby.ts <STORE_URL>`, forked.
 * Waits for the deployment lease exactly as a standby bot does (Lease.acquire, a query every 250 ms),
 * tells its parent "waiting" once it found the lease held, and "active" if it ever gets it. SIGTERM ends it.
 */
import { silentLogger } from "../../src/core/log.ts";
import { Lease, preparePostgres } from "../../src/store/postgres/index.ts";

const url = process.argv[2] ?? "";
const pool = await preparePostgres(url, silentLogger);
const lease = new Lease({ pool, logger: silentLogger });
process.on("SIGTERM", () => {
  lease.stop();
  void pool.end().finally(() => process.exit(0));
});
try {
  await lease.acquire(() => process.send?.("waiting"));
  process.send?.("active");
} catch {
  // stop() while waiting: SIGTERM's handler ends the process.
}
