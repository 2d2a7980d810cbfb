import { describe, expect, it } from "vitest";
import { z } from "zod";
import { commands } from "../../commands/index.ts";
import { App } from "../../src/core/app.ts";
import { Access } from "../../src/core/commands/access.ts";
import { type AccessLevel, defineCommand, type Place, type Reach } from "../../src/core/commands/command.ts";
import { commandLines } from "../../src/core/commands/dispatch.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { silentLogger } from "../../src/core/log.ts";
import type { GatewayPort } from "../../src/core/ports.ts";
import { AttachmentIntake } from "../../src/core/turns/attachments.ts";
import { MemoryBlobStore } from "../../src/store/blobs.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { startBot, USERS } from "./support/bot-harness.ts";

const ADMIN = "telegram:9";
const MEMBER = "telegram:1";
const STRANGER = "telegram:666";

/** An app with one probe command per access level; each records the reach it ran with. */
function probeApp() {
  const ran: { name: string; reach: Reach }[] = [];
  const probe = (name: string, access: AccessLevel) =>
    defineCommand<object, Services>({
      name,
      description: name,
      access,
      args: z.object({}),
      run: async ({ reach }) => {
        ran.push({ name, reach });
        return { text: `${name} ran` };
      },
    });
  // A parent open to members with an admin subcommand, and an admin parent with a member one.
  const parent = { ...probe("parent", "allowed"), subcommands: [probe("purge", "admin"), probe("peek", "allowed")] };
  const locked = { ...probe("locked", "admin"), subcommands: [probe("glance", "allowed")] };
  const app = new App({
    commands: [probe("everyone", "anyone"), probe("member", "allowed"), probe("secret", "admin"), parent, locked],
    // The probes touch no service: an empty bag proves the core, not the command, decided.
    services: {} as Services,
    access: new Access({ allowed: [MEMBER], admins: [ADMIN] }),
    store: new MemoryStore(),
    gateway: {} as GatewayPort,
    intake: new AttachmentIntake({ blobs: new MemoryBlobStore(), gateway: {} as GatewayPort, logger: silentLogger }),
    logger: silentLogger,
  });
  return { app, ran };
}

function group(spaceAdmin: boolean): Place {
  return { conversation: "telegram:-100", direct: false, senderIsSpaceAdmin: async () => spaceAdmin };
}

describe("access declared on a command is enforced by the core", () => {
  it("refuses an admin command to a member, and never runs it", async () => {
    const { app, ran } = probeApp();
    const reply = await app.handleCommand({ place: group(false), sender: { id: MEMBER }, name: "secret", text: "" });
    expect(reply?.text).toBe("Only admins can use /secret.");
    expect(ran).toEqual([]);
  });

  it("runs it for a configured admin (every thread) and a chat's own administrator (that chat's)", async () => {
    const { app, ran } = probeApp();
    await app.handleCommand({ place: group(false), sender: { id: ADMIN }, name: "secret", text: "" });
    await app.handleCommand({ place: group(true), sender: { id: MEMBER }, name: "secret", text: "" });
    expect(ran).toEqual([
      { name: "secret", reach: { kind: "all" } },
      { name: "secret", reach: { kind: "space", space: "telegram:-100" } },
    ]);
  });

  it("a chat administrator's rights do not reach into a DM", async () => {
    const { app, ran } = probeApp();
    const dm: Place = { conversation: "telegram:1", direct: true, senderIsSpaceAdmin: async () => true };
    const reply = await app.handleCommand({ place: dm, sender: { id: MEMBER }, name: "secret", text: "" });
    expect(reply?.text).toBe("Only admins can use /secret.");
    expect(ran).toEqual([]);
  });

  it("members run allowed commands with their own reach; strangers only 'anyone' commands", async () => {
    const { app, ran } = probeApp();
    await app.handleCommand({ place: group(false), sender: { id: MEMBER }, name: "member", text: "" });
    expect(await app.handleCommand({ place: group(false), sender: { id: STRANGER }, name: "member", text: "" })).toBe(
      undefined,
    );
    await app.handleCommand({ place: group(false), sender: { id: STRANGER }, name: "everyone", text: "" });
    expect(ran).toEqual([
      { name: "member", reach: { kind: "here" } },
      { name: "everyone", reach: { kind: "here" } },
    ]);
  });

  it("an admin subcommand under an allowed parent never runs for a member, typed or named by Discord", async () => {
    const { app, ran } = probeApp();
    const member = { id: MEMBER };
    const typed = await app.handleCommand({ place: group(false), sender: member, name: "parent", text: "purge now" });
    const named = await app.handleCommand({ place: group(false), sender: member, name: "parent", subcommand: "purge" });
    expect(typed?.text).toBe("Only admins can use /parent purge.");
    expect(named?.text).toBe("Only admins can use /parent purge.");
    await app.handleCommand({ place: group(false), sender: member, name: "parent", text: "peek" });
    await app.handleCommand({ place: group(false), sender: member, name: "parent", text: "" });
    await app.handleCommand({ place: group(false), sender: { id: ADMIN }, name: "parent", text: "purge" });
    await app.handleCommand({ place: group(true), sender: member, name: "parent", subcommand: "purge" });
    expect(ran).toEqual([
      { name: "peek", reach: { kind: "here" } },
      { name: "parent", reach: { kind: "here" } },
      { name: "purge", reach: { kind: "all" } },
      { name: "purge", reach: { kind: "space", space: "telegram:-100" } },
    ]);
  });

  it("a member subcommand under an admin parent runs for a member; the parent itself does not", async () => {
    const { app, ran } = probeApp();
    const member = { id: MEMBER };
    const parent = await app.handleCommand({ place: group(false), sender: member, name: "locked", text: "" });
    expect(parent?.text).toBe("Only admins can use /locked.");
    await app.handleCommand({ place: group(false), sender: member, name: "locked", text: "glance" });
    expect(ran).toEqual([{ name: "glance", reach: { kind: "here" } }]);
    // Strangers get nothing from a subcommand either.
    const stranger = { id: STRANGER };
    expect(await app.handleCommand({ place: group(false), sender: stranger, name: "locked", text: "glance" })).toBe(
      undefined,
    );
  });

  it("every admin command and subcommand of the bot is refused to a plain allowed user, with nothing sent to the gateway", async () => {
    const admins = commandLines(commands).filter((c) => c.definition.access === "admin");
    expect(admins.map((c) => c.path)).toContain("threads");
    const world = await startBot();
    const requests = world.gw.requests.length;
    for (const { path } of admins) {
      const reply = await world.command("telegram:200", `/${path}`, { sender: USERS.allowed });
      expect(reply?.text).toBe(`Only admins can use /${path}.`);
    }
    expect(world.gw.requests.length).toBe(requests);
  });
});
