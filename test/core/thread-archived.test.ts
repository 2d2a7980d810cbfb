import { describe, expect, it } from "vitest";
import { startBot, USERS } from "./support/bot-harness.ts";

const ADMIN = "telegram:300";

function archive(world: Awaited<ReturnType<typeof startBot>>, key: string): void {
  const record = world.gw.store.get(key);
  if (!record) throw new Error(`no session ${key}`);
  record.archived = true;
  record.archivedAt = Date.now();
}

describe("/threads and archived threads", () => {
  it("lists the threads OpenClaw archived in a section of their own; /thread <name> restores one", async () => {
    const world = await startBot();
    await world.command("console:a", "/thread Budget");
    await world.command("console:b", "/thread Travel");
    archive(world, "agent:main:named:travel");

    const listed = (await world.command(ADMIN, "/threads", { sender: USERS.admin }))?.text ?? "";
    const [active, shelved] = listed.split("\n\n");
    expect(active).toMatch(/^Threads 1–1 of 1/);
    expect(active).toContain("Budget");
    expect(active).not.toContain("Travel");
    expect(shelved?.split("\n")[0]).toBe("Archived by OpenClaw (1); /thread <name> restores one:");
    expect(shelved).toContain("• Travel (travel)");
    expect(world.gw.requestsOf("sessions.list").at(-1)?.params).toEqual({ archived: true });

    await world.command("console:b", "/thread Travel");
    expect(world.gw.store.get("agent:main:named:travel")?.archived).toBe(false);
    const after = (await world.command(ADMIN, "/threads", { sender: USERS.admin }))?.text ?? "";
    expect(after).not.toContain("Archived");
    expect(after).toMatch(/^Threads 1–2 of 2/);
  });

  it("says when every listed thread is archived, and lists without the section while the gateway is away", async () => {
    const world = await startBot();
    await world.command("console:a", "/thread Budget");
    archive(world, "agent:main:named:budget");
    const listed = (await world.command(ADMIN, "/threads", { sender: USERS.admin }))?.text ?? "";
    expect(listed.split("\n")[0]).toBe("No active threads.");
    expect(listed).toContain("• Budget (budget)");

    await world.gw.stop();
    const offline = (await world.command(ADMIN, "/threads", { sender: USERS.admin }))?.text ?? "";
    expect(offline).toMatch(/^Threads 1–1 of 1/);
  });
});
