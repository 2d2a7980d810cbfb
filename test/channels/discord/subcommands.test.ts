import { describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.ts";
import { slashCommands } from "../../../src/channels/discord/slash-commands.ts";
import { commandProblem } from "../../fakes/discord/command-rules.ts";
import { ids } from "../../fakes/fake-discord.ts";
import { startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

type Option = { type: number; name: string; options?: Option[]; required?: boolean; autocomplete?: boolean };

function optionsOf(command: Record<string, unknown> | undefined): Option[] {
  return (command?.options ?? []) as Option[];
}

describe("discord subcommands with the real core", () => {
  it("registers every command (the fake checks Discord's rules): /thread as SUB_COMMAND options", async () => {
    const { fake } = await startBot();
    const global = fake.commands.global ?? [];
    expect(global.map((c) => c.name)).toEqual(commands.map((c) => c.name));
    const thread = global.find((c) => c.name === "thread");
    const subs = optionsOf(thread);
    // open (the parent's own behaviour), then every subcommand in the order commands/thread.ts lists them.
    const listed = (commands.find((c) => c.name === "thread")?.subcommands ?? []).map((s) => s.name);
    expect(listed.slice(0, 2)).toEqual(["show", "off"]);
    expect(subs.map((o) => [o.type, o.name])).toEqual([[1, "open"], ...listed.map((name) => [1, name])]);
    expect(subs[0]?.options).toEqual([
      expect.objectContaining({ type: 3, name: "name", required: false, autocomplete: true, max_length: 100 }),
    ]);
    expect(subs[2]?.options).toEqual([]);
    // A command without subcommands keeps plain options.
    expect(optionsOf(global.find((c) => c.name === "resume")).map((o) => o.type)).toEqual([3]);
  });

  it("registers every command per server too, where the fake accepts them as well", async () => {
    const { fake } = await startBot({ guildIds: [ids.guild] });
    const guild = fake.commands.guilds.get(ids.guild) ?? [];
    expect(guild.map((c) => c.name)).toEqual(commands.map((c) => c.name));
    expect(optionsOf(guild.find((c) => c.name === "thread")).every((o) => o.type === 1)).toBe(true);
    expect(fake.commands.global?.map((c) => c.name)).toEqual(commands.map((c) => c.name));
  });

  it("/thread open name: opens and binds a Discord thread; /thread off there unbinds it", async () => {
    const { fake, store } = await startBot();
    const opened = await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      subcommand: "open",
      options: { name: "ops" },
    });
    expect(opened.original?.content).toMatch(/^Created thread "ops"/);
    const channel = [...fake.world.channels.values()].find((c) => c.name === "ops");
    const key = `discord:${ids.guild}:${channel?.id}`;
    expect(store.state.bindings[key]?.slug).toBe("ops");
    const shown = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: channel?.id ?? "",
      name: "thread",
      subcommand: "show",
    });
    expect(shown.original?.content).toMatch(/^Thread "ops"/);
    const off = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: channel?.id ?? "",
      name: "thread",
      subcommand: "off",
    });
    expect(off.original?.content).toBe('Unbound "ops" from this conversation. The thread and its session stay.');
    expect(store.state.bindings[key]).toBeUndefined();
  });

  it("typed text in a DM dispatches subcommands too", async () => {
    const { fake, store } = await startBot();
    fake.userMessage({ userId: ids.alice, dm: true, content: "/thread open notes" });
    await fake.waitFor(() => store.state.bindings[`discord:dm:${ids.alice}`], { what: "binding" });
    fake.userMessage({ userId: ids.alice, dm: true, content: "/thread off" });
    await fake.waitFor(() => !store.state.bindings[`discord:dm:${ids.alice}`], { what: "unbinding" });
    expect(store.state.threads.notes).toBeDefined();
  });

  it("autocompletes a subcommand's thread name with the person's own threads; an admin sees all", async () => {
    const { fake } = await startBot();
    // Alice's thread is bound in her DM only; Bob's in a server channel everyone there sees.
    await slashAnswered(fake, {
      userId: ids.alice,
      dm: true,
      name: "thread",
      subcommand: "open",
      options: { name: "alice-secret" },
    });
    await slashAnswered(fake, {
      userId: ids.bob,
      channelId: ids.activeThread,
      name: "thread",
      subcommand: "open",
      options: { name: "team-plan" },
    });
    const choicesFor = async (userId: string) => {
      const record = fake.autocomplete({
        userId,
        channelId: ids.general,
        name: "thread",
        subcommand: "open",
        focused: "name",
        value: "",
      });
      await fake.waitFor(() => record.choices, { what: "choices" });
      return (record.choices ?? []).map((c) => c.name).sort();
    };
    expect(await choicesFor(ids.alice)).toEqual(["alice-secret", "team-plan"]);
    expect(await choicesFor(ids.bob)).toEqual(["team-plan"]);
    expect(await choicesFor(ids.dave)).toEqual(["alice-secret", "team-plan"]);
    // A param that is not a thread name offers nothing.
    const other = fake.autocomplete({
      userId: ids.dave,
      channelId: ids.general,
      name: "threads",
      focused: "filter",
      value: "",
    });
    await fake.waitFor(() => other.choices, { what: "choices" });
    expect(other.choices).toEqual([]);
  });
});

describe("the fake Discord refuses registrations Discord refuses", () => {
  const sub = (name: string, options: unknown[] = []) => ({ type: 1, name, description: name, options });
  const str = (name: string, required = false) => ({ type: 3, name, description: name, required });
  const command = (options: unknown[]) => ({ type: 1, name: "c", description: "c", options });

  it("accepts what the bot generates, for every command", () => {
    expect(slashCommands(commands).map((c) => commandProblem({ ...c }))).toEqual(commands.map(() => undefined));
  });

  for (const [what, options, problem] of [
    ["subcommands mixed with options", [sub("a"), str("b")], /mixed/],
    ["a subcommand in a subcommand", [sub("a", [sub("b")])], /plain options/],
    ["a required option after an optional one", [sub("a", [str("x"), str("y", true)])], /required options/],
    ["26 subcommands", Array.from({ length: 26 }, (_, i) => sub(`s${i}`)), /more than 25/],
    ["an upper-case subcommand name", [sub("Open")], /bad option name/],
    ["an unknown option type", [{ type: 12, name: "x", description: "x" }], /bad type/],
    ["a required subcommand", [{ ...sub("a"), required: true }], /cannot be required/],
    ["duplicate names", [sub("a"), sub("a")], /duplicate/],
    [
      "over 4000 characters",
      Array.from({ length: 25 }, (_, i) => ({
        ...sub(`s${i}`),
        description: "d".repeat(100),
        options: [{ ...str("x"), description: "e".repeat(100) }],
      })),
      /4000/,
    ],
  ] as const) {
    it(what, () => {
      expect(commandProblem(command([...options]))).toMatch(problem);
    });
  }
});
