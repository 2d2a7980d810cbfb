import { afterEach, describe, expect, it } from "vitest";
import { composeBot } from "../../../src/compose.ts";
import { silentLogger } from "../../../src/core/log.ts";
import { texts } from "../../../src/core/texts.ts";
import { createOpenClawGateway } from "../../../src/gateway/index.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../../fakes/fake-gateway.ts";
import { openTerminal } from "./support/terminal.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The whole bot with the real console channel on one terminal, on the fake gateway. */
async function consoleBot(): Promise<{ gw: FakeOpenClawGateway; type: (line: string) => void; printed: () => string }> {
  const gw = await startFakeGateway();
  const gateway = createOpenClawGateway({ url: gw.url, token: gw.token, logger: silentLogger });
  const bot = composeBot({
    store: new MemoryStore(),
    gateway,
    logger: silentLogger,
    agentId: "main",
    policy: "auto",
    allowedUsers: [],
    adminUsers: [],
  });
  const terminal = openTerminal(bot.app, bot.channels);
  await bot.start();
  cleanups.push(async () => {
    await terminal.close();
    await bot.stop();
    await gw.stop();
  });
  return { gw, type: terminal.type, printed: terminal.printed };
}

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!probe()) throw new Error(`timed out waiting for ${what}`);
}

describe("/stop and /steer in the console", () => {
  it("/stop stops the streaming answer; /steer redirects the next one; with nothing running each says so", async () => {
    const { gw, type, printed } = await consoleBot();
    type("/thread desk");
    await until(() => printed().includes('Created thread "desk"'), "the thread");
    type("/stop");
    await until(() => printed().includes('Nothing is running in "desk".'), "nothing running");

    let gate = gw.model.hold();
    type("first task");
    await gate.reached;
    type("/stop");
    await until(() => printed().includes('Stopped the running turn of "desk".'), "stopped");
    await until(() => printed().includes(texts.stopped), "the stopped mark");
    expect(gw.requestsOf("chat.abort")).toHaveLength(1);

    gate = gw.model.hold();
    type("second task");
    await gate.reached;
    type("/steer third task instead");
    await until(() => printed().includes("ECHO: third task instead"), "the steered answer");
    expect(printed()).toContain(texts.redirected);
    const modes = gw.requestsOf("chat.send").map((r) => (r.params as { queueMode?: string }).queueMode);
    expect(modes).toEqual([undefined, undefined, "interrupt"]);
  });
});
