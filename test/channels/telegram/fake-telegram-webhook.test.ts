import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "../../fakes/fake-telegram.ts";

let tg: FakeTelegram;
beforeEach(async () => {
  tg = await FakeTelegram.start();
  tg.addChat({ id: 1, type: "private", first_name: "A" });
});
afterEach(async () => {
  await tg.stop();
});

const alice = { id: 1, is_bot: false, first_name: "A" };

async function call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 answering with the statuses given, then 200. */
async function receiver(statuses: number[] = []) {
  const got: { secret: unknown; updateId: number }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    got.push({ secret: req.headers["x-telegram-bot-api-secret-token"], updateId: JSON.parse(body).update_id });
    res.writeHead(statuses.shift() ?? 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("FakeTelegram webhooks", () => {
  it("posts each update with the secret, retries a failure, and refuses getUpdates while set", async () => {
    const hook = await receiver([500]);
    expect(await call("setWebhook", { url: hook.url, secret_token: "s3" })).toEqual({ ok: true, result: true });
    tg.userMessage(1, alice, "one");
    tg.userMessage(1, alice, "two");
    await tg.waitUntil(() => tg.updates.pending().length === 0 || undefined, { what: "both delivered" });
    expect(hook.got).toEqual([
      { secret: "s3", updateId: 1 },
      { secret: "s3", updateId: 1 },
      { secret: "s3", updateId: 2 },
    ]);
    expect(tg.webhook.deliveries.map((d) => d.status)).toEqual([500, 200, 200]);
    expect(await call("getUpdates")).toEqual({
      ok: false,
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    expect(await call("getWebhookInfo")).toMatchObject({ result: { url: hook.url, pending_update_count: 0 } });
    await hook.close();
  });

  it("gives up after maxAttempts, and serves getUpdates again after deleteWebhook", async () => {
    tg.webhook.options = { maxAttempts: 3, retryDelayMs: 5 };
    await call("setWebhook", { url: "http://127.0.0.1:9/nobody-listens", secret_token: "s3" });
    tg.userMessage(1, alice, "lost");
    await tg.waitUntil(() => tg.webhook.dropped.length === 1 || undefined, { what: "given up" });
    expect(tg.webhook.deliveries.filter((d) => d.error !== undefined)).toHaveLength(3);
    await call("deleteWebhook");
    tg.userMessage(1, alice, "polled");
    const polled = (await call("getUpdates")) as { result: { message: { text: string } }[] };
    expect(polled.result.map((u) => u.message.text)).toEqual(["polled"]);
  });

  it("delivers to random targets and a fraction of updates twice", async () => {
    const [a, b] = [await receiver(), await receiver()];
    let n = 0;
    tg.webhook.options = { targets: [a.url, b.url], duplicateRate: 0.5, random: () => (n++ % 4) / 4 };
    await call("setWebhook", { url: "https://bot.example/hook", secret_token: "s3" });
    for (let i = 0; i < 8; i++) tg.userMessage(1, alice, `m${i}`);
    await tg.waitUntil(() => tg.updates.pending().length === 0 || undefined, { what: "all delivered" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.got.length).toBeGreaterThan(0);
    expect(b.got.length).toBeGreaterThan(0);
    expect(a.got.length + b.got.length).toBeGreaterThan(8);
    await Promise.all([a.close(), b.close()]);
  });
});
