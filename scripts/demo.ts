/**
 * `npm run demo`: everything offline in one command. Installs the pinned OpenClaw gateway if needed, starts
 * it on 127.0.0.1 with a deterministic echo model (the e2e harness), then runs the bot on the console
 * channel against it. Quitting the bot (Ctrl-D or Ctrl-C) stops the gateway and removes its temp folder.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeModel } from "../test/e2e/harness/fake-model.ts";
import { startGateway } from "../test/e2e/harness/gateway.ts";
import { buildDist } from "./build.ts";
import { ensureOpenclawInstalled } from "./openclaw-install.ts";
import { repoRoot } from "./openclaw-paths.ts";
import { startFlags } from "./start-flags.ts";

async function demo(): Promise<number> {
  await ensureOpenclawInstalled();
  console.log("demo: starting the fake model and the OpenClaw gateway (about 10 s)…");
  const model = await startFakeModel();
  const gateway = await startGateway({ modelBaseUrl: model.baseUrl, name: "demo-gateway" });
  const storeDir = mkdtempSync(join(tmpdir(), "threadkeeper-demo-"));
  console.log(`demo: gateway ready at ${gateway.url}; the model echoes what you write ("ECHO: …").`);
  // The bot exactly as `npm start` runs it: dist/ built from src/, npm start's Node flags.
  const bot = spawn(process.execPath, [...startFlags(), buildDist(), ...process.argv.slice(2)], {
    cwd: repoRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      OPENCLAW_GATEWAY_URL: gateway.url,
      OPENCLAW_GATEWAY_TOKEN: gateway.token,
      STORE_PATH: join(storeDir, "threads.json"),
      TELEGRAM_BOT_TOKEN: "",
      DISCORD_BOT_TOKEN: "",
    },
  });
  // Ctrl-C reaches the bot too (same process group); the demo only waits for it to finish.
  process.on("SIGINT", () => undefined);
  const code = await new Promise<number>((resolve) => bot.on("exit", (exitCode) => resolve(exitCode ?? 0)));
  console.log("demo: stopping the gateway…");
  await gateway.cleanup();
  await model.close();
  rmSync(storeDir, { recursive: true, force: true });
  return code;
}

demo().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
