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

  it("takes uploads (payload_json + files[n]) up to 10 MB, refuses bigger ones with 413/40005, serves files on its CDN", async () => {
    const fake = await FakeDiscord.start();
    open.push({ fake });
    const post = (bytes: Uint8Array) => {
      const form = new FormData();
      form.set("payload_json", JSON.stringify({ content: "", attachments: [{ id: "0" }] }));
      form.set("files[0]", new Blob([bytes], { type: "application/pdf" }), "r.pdf");
      const headers = { authorization: `Bot ${fake.token}` };
      return fetch(`${fake.apiRoot}/v10/channels/${ids.general}/messages`, { method: "POST", headers, body: form });
    };
    const sent = (await (await post(Buffer.from("%PDF-1.4"))).json()) as {
      attachments: { url: string; size: number }[];
    };
    expect(sent.attachments[0]).toMatchObject({ filename: "r.pdf", content_type: "application/pdf", size: 8 });
    const served = await fetch(sent.attachments[0]!.url);
    expect(Buffer.from(await served.arrayBuffer()).toString()).toBe("%PDF-1.4");
    const missing = await fetch(`${fake.origin}/attachments/${ids.general}/1/nothing.pdf`);
    expect([missing.status, await missing.text()]).toEqual([404, "This content is no longer available."]);
    const tooBig = await post(new Uint8Array(10 * 1024 * 1024 + 1));
    expect([tooBig.status, await tooBig.json()]).toEqual([413, { code: 40005, message: "Request entity too large" }]);
    expect(fake.messagesIn(ids.general)).toHaveLength(1);
  });
});
