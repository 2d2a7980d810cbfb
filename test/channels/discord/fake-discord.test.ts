import { Client, Events, GatewayIntentBits, type Message, Partials } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { FakeDiscord, ids } from "../../fakes/fake-discord.ts";

const open: { fake: FakeDiscord; client?: Client }[] = [];

afterEach(async () => {
  for (const { fake, client } of open.splice(0)) {
    await client?.destroy();
    await fake.close();
  }
});

async function login(intents: GatewayIntentBits[]) {
  const fake = await FakeDiscord.start();
  const client = new Client({ intents, partials: [Partials.Channel], rest: { api: fake.apiRoot } });
  open.push({ fake, client });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

describe("the fake Discord itself", () => {
  it("withholds message content from a client without the MessageContent intent", async () => {
    const { fake, client } = await login([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const seen: Message[] = [];
    client.on(Events.MessageCreate, (m) => seen.push(m));
    fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "secret plans" });
    fake.userMessage({ userId: ids.alice, dm: true, content: "no DM intent: not delivered" });
    await fake.waitFor(() => seen[0], { what: "message" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen.map((m) => m.content)).toEqual([""]);
  });

  it("closes the gateway with 4004 on a wrong token", async () => {
    const fake = await FakeDiscord.start();
    open.push({ fake });
    const socket = new WebSocket(`${fake.origin.replace("http", "ws")}/gateway?v=10&encoding=json`);
    const code = await new Promise<number>((resolve) => {
      socket.on("message", () => socket.send(JSON.stringify({ op: 2, d: { token: "nope", intents: 1 } })));
      socket.on("close", (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(4004);
  });

  it("answers 204 without a content type, 401 without the token, and lists unknown routes as misses", async () => {
    const fake = await FakeDiscord.start();
    open.push({ fake });
    const auth = { authorization: `Bot ${fake.token}` };
    const typing = await fetch(`${fake.apiRoot}/v10/channels/${ids.general}/typing`, { method: "POST", headers: auth });
    expect(typing.status).toBe(204);
    expect(typing.headers.get("content-type")).toBeNull();
    const anonymous = await fetch(`${fake.apiRoot}/v10/users/@me`);
    expect(anonymous.status).toBe(401);
    const unknown = await fetch(`${fake.apiRoot}/v10/guilds/${ids.guild}/bans`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(fake.misses).toEqual([`GET /guilds/${ids.guild}/bans`]);
  });

  it("enforces one acknowledgement per interaction, within 3 seconds", async () => {
    const { fake } = await login([GatewayIntentBits.Guilds]);
    const first = fake.slash({ userId: ids.bob, channelId: ids.general, name: "x" });
    const url = `${fake.apiRoot}/v10/interactions/${first.id}/${first.token}/callback`;
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: 4, data: { content: "hi" } }),
      });
    expect((await post()).status).toBe(204);
    const again = await post();
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: number }).code).toBe(40060);
    const late = fake.slash({ userId: ids.bob, channelId: ids.general, name: "x" });
    late.createdAt -= 3_001;
    const tooLate = await fetch(`${fake.apiRoot}/v10/interactions/${late.id}/${late.token}/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: 5 }),
    });
    expect(tooLate.status).toBe(404);
  });
});
