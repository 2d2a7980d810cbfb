import { describe, expect, it } from "vitest";
import { z } from "zod";
import { commands, reservedThreadNames } from "../../commands/index.ts";
import { App } from "../../src/core/app.ts";
import { Access } from "../../src/core/commands/access.ts";
import { newThreadNameArg, threadNameArg } from "../../src/core/commands/args.ts";
import { defineCommand, paramsOf } from "../../src/core/commands/command.ts";
import { commandLines, resolveCommand, usageOf } from "../../src/core/commands/dispatch.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { silentLogger } from "../../src/core/log.ts";
import type { Thread } from "../../src/core/model.ts";
import type { GatewayPort, StorePort } from "../../src/core/ports.ts";
import { AttachmentIntake } from "../../src/core/turns/attachments.ts";
import { MemoryBlobStore } from "../../src/store/blobs.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { startBot, USERS } from "./support/bot-harness.ts";
import { changesNothing } from "./support/identity.ts";

const A = "console:a";
const B = "console:b";

/** A thread stored before its name became a subcommand word (an older bot made it). */
function storedThread(slug: string, name: string): (store: StorePort) => Promise<void> {
  const thread: Thread = {
    slug,
    name,
    agentId: "main",
    sessionKey: `agent:main:named:${slug}`,
    label: name,
    parentSessionKey: undefined,
    createdAt: 1,
    createdBy: USERS.allowed,
    lastActivityAt: 1,
    messageCount: 0,
    state: "idle",
  };
  return (store) => store.update({ threads: { [slug]: thread } });
}

// A probe parent with a subcommand that has a required param, to test usage and arg mapping.
const rename = defineCommand<{ to: string; note?: string | undefined }, Services>({
  name: "rename",
  description: "probe",
  access: "allowed",
  args: z.object({ to: z.string(), note: z.string().optional() }),
  run: async ({ args }) => ({ text: `renamed to ${args.to} (${args.note ?? "-"})` }),
});
const probe = defineCommand<{ name?: string | undefined }, Services>({
  name: "probe",
  description: "probe",
  access: "allowed",
  args: z.object({ name: z.string().optional() }),
  asSubcommand: { name: "open", description: "open" },
  subcommands: [rename],
  run: async ({ args }) => ({ text: `opened ${args.name ?? "-"}` }),
});

/** An App with only the probe command; its handlers touch no service. */
function probeApp(): App {
  return new App({
    commands: [probe],
    // The probes touch no service.
    services: {} as Services,
    access: new Access({ allowed: ["telegram:1"], admins: [] }),
    store: new MemoryStore(),
    gateway: {} as GatewayPort,
    intake: new AttachmentIntake({ blobs: new MemoryBlobStore(), gateway: {} as GatewayPort, logger: silentLogger }),
    logger: silentLogger,
  });
}

describe("subcommand dispatch", () => {
  it("maps the rest of the text onto the subcommand's params; a missing required one gets the usage", async () => {
    const app = probeApp();
    const run = (text: string) =>
      app.handleCommand({
        place: { conversation: "telegram:1", direct: true },
        sender: { id: "telegram:1" },
        name: "probe",
        text,
      });
    expect((await run("rename x the note"))?.text).toBe("renamed to x (the note)");
    expect((await run("RENAME"))?.text).toBe("Usage: /probe rename <to> [note]");
    expect((await run("open"))?.text).toBe("opened -");
    expect((await run("renamed"))?.text).toBe("opened renamed");
  });

  it("a new thread name is a required param without autocomplete; an existing one autocompletes", () => {
    const params = paramsOf(z.object({ to: newThreadNameArg("New name"), from: threadNameArg("Thread") }));
    expect(params).toEqual([
      { name: "to", description: "New name", required: true, maxLength: 100 },
      { name: "from", description: "Thread", required: false, autocomplete: true, maxLength: 100 },
    ]);
  });

  it("picks a subcommand by its first word (any case); any other word stays the parent's argument", () => {
    expect(resolveCommand([probe], { name: "probe", text: "Rename new name" })).toMatchObject({
      definition: rename,
      path: "probe rename",
      text: "new name",
    });
    expect(resolveCommand([probe], { name: "probe", text: "renamed thing" })).toMatchObject({
      definition: probe,
      path: "probe",
      text: "renamed thing",
    });
    expect(resolveCommand([probe], { name: "probe", text: "open x y" })).toMatchObject({
      definition: probe,
      path: "probe",
      text: "x y",
    });
    expect(resolveCommand([probe], { name: "probe", subcommand: "rename" })?.definition).toBe(rename);
    expect(resolveCommand([probe], { name: "probe", subcommand: "open" })?.definition).toBe(probe);
    expect(resolveCommand([probe], { name: "probe", subcommand: "nope" })).toBeUndefined();
    expect(resolveCommand([probe], { name: "nope" })).toBeUndefined();
  });

  it("a definition with subcommands no platform can carry fails when it is declared", () => {
    const sub = (name: string) => ({ ...rename, name });
    const declare = (fields: object) => () =>
      defineCommand({ ...probe, asSubcommand: undefined, subcommands: [], ...fields } as typeof probe);
    expect(declare({ subcommands: [sub("Rename")] })).toThrow(/not lower-case/);
    expect(declare({ subcommands: [sub("a"), sub("a")] })).toThrow(/share a name/);
    expect(declare({ asSubcommand: { name: "a", description: "a" }, subcommands: [sub("a")] })).toThrow(/share a name/);
    expect(declare({ subcommands: Array.from({ length: 26 }, (_, i) => sub(`s${i}`)) })).toThrow(/more than 25/);
    expect(declare({ subcommands: [{ ...sub("a"), subcommands: [sub("b")] }] })).toThrow(/of its own/);
    expect(declare({ subcommands: [sub("a_b-1")] })).not.toThrow();
  });

  it("usage lines come from the params", () => {
    expect(usageOf("probe rename", rename.params)).toBe("/probe rename <to> [note]");
  });

  it("lists every command and subcommand of the bot, and reserves each /thread subcommand word", () => {
    const paths = commandLines(commands).map((c) => c.path);
    expect(paths).toEqual(expect.arrayContaining(["thread", "thread show", "thread off", "threads", "help"]));
    expect(reservedThreadNames).toEqual(expect.arrayContaining(["open", "show", "off"]));
  });
});

describe("/thread subcommands through the core", () => {
  it("/thread off and /thread OFF unbind with the same answers as before; the thread stays", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    expect((await world.command(A, "/thread OFF"))?.text).toBe(
      'Unbound "Budget" from this conversation. The thread and its session stay.',
    );
    expect(world.store.state.bindings[A]).toBeUndefined();
    expect(world.store.state.threads.budget).toBeDefined();
    const again = await changesNothing(world, () => world.command(A, "/thread off"));
    expect(again?.text).toBe("No thread is bound here.");
  });

  it("/thread show and a bare /thread say the same; /thread open <name> attaches like /thread <name>", async () => {
    const world = await startBot();
    const opened = await world.command(A, "/thread open Budget Planning");
    expect(opened?.text).toMatch(/^Created thread "Budget Planning" \(budget-planning\) here\./);
    const shown = await world.command(A, "/thread show");
    expect(shown?.text).toMatch(/^Thread "Budget Planning"/);
    expect((await world.command(A, "/thread"))?.text).toBe(shown?.text);
    // A name that only starts like a subcommand is a name.
    expect((await world.command(B, "/thread offline-notes"))?.text).toMatch(/^Created thread "offline-notes"/);
  });

  it("Discord's form (subcommand + options) reaches the same handlers", async () => {
    const world = await startBot();
    const place = { conversation: A, direct: true };
    const sender = { id: "console:tester" };
    const open = await world.bot.app.handleCommand({
      place,
      sender,
      name: "thread",
      subcommand: "open",
      options: { name: "ops" },
    });
    expect(open?.text).toMatch(/^Created thread "ops"/);
    const off = await world.bot.app.handleCommand({ place, sender, name: "thread", subcommand: "off", options: {} });
    expect(off?.text).toMatch(/^Unbound "ops"/);
    const stale = await world.bot.app.handleCommand({ place, sender, name: "thread", subcommand: "gone", options: {} });
    expect(stale?.text).toBe("Unknown command /thread gone. Try /help.");
  });

  it("bad input to a subcommand: one line, nothing changed", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    for (const [line, answer] of [
      ["/thread off now", "/thread off takes no arguments."],
      ["/thread show me", "/thread show takes no arguments."],
      ["/thread open show", '"show" is a /thread subcommand; pick another thread name.'],
      ["/thread open Off", '"off" is reserved; pick another thread name.'],
      ["/thread open Open.", '"open" is a /thread subcommand; pick another thread name.'],
      [`/thread open ${"x".repeat(101)}`, "Thread names are at most 100 characters."],
    ] as const) {
      const reply = await changesNothing(world, () => world.command(B, line));
      expect(reply?.text).toBe(answer);
    }
  });

  it("/help lists every command and subcommand with its params, and Discord's form of /thread <name>", async () => {
    const world = await startBot();
    const text = (await world.command(A, "/help"))?.text ?? "";
    for (const { path, definition } of commandLines(commands)) {
      expect(text).toContain(`${usageOf(path, definition.params)} — ${definition.description}`);
    }
    expect(text).toContain("\n  /thread off — ");
    expect(text).toContain(
      "In Discord's slash menu: /thread open [name] for /thread [name]; /threads list [filter] for /threads [filter].",
    );
  });

  it("autocomplete offers names that start with the query first, at most 25", async () => {
    const world = await startBot();
    await world.command(A, "/thread plan-b");
    await world.command(A, "/thread a-plan");
    for (let i = 0; i < 30; i++) await world.command(B, `/thread many-${i}`);
    const place = { conversation: A, direct: true };
    const ask = (query: string) =>
      world.bot.app.autocomplete({ place, sender: { id: "console:tester" }, command: "thread", param: "name", query });
    expect(await ask("plan")).toEqual(["plan-b", "a-plan"]);
    expect(await ask("")).toHaveLength(25);
    // Only params that name a thread offer names.
    expect(
      await world.bot.app.autocomplete({
        place,
        sender: { id: "console:tester" },
        command: "threads",
        param: "filter",
        query: "",
      }),
    ).toEqual([]);
  });

  it("a thread stored under a name that is now a subcommand word stays reachable", async () => {
    const world = await startBot({ seed: storedThread("show", "show") });
    const reply = await world.command(A, "/thread open show");
    expect(reply?.text).toMatch(/^Attached thread "show" \(show\) here\./);
    expect(world.store.state.bindings[A]?.slug).toBe("show");
    // Typed bare, the word is the subcommand: it shows what is bound here.
    expect((await world.command(A, "/thread show"))?.text).toMatch(/^Thread "show" \(show\)/);
    expect((await world.command(B, "/resume show"))?.text).toBe(
      "Nothing to resume: no turn of this thread is interrupted.",
    );
    const listed = await world.command(B, "/threads", { sender: USERS.admin });
    expect(listed?.text).toContain("• show (show)");
  });
});
