/**
 * Acceptance 4 of issue 3: two gateways side by side with separate state do not see each other's sessions.
 * Also the harness's own guards: a third gateway is refused, and a gateway that is not ready in time fails
 * with its last log lines instead of hanging, leaving nothing behind.
 */
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { processesMentioning } from "./harness/processes.ts";
import { history, sendTurn } from "./harness/turns.ts";

describe("real gateways: two side by side", () => {
  let model: FakeModel;
  let alpha: Gateway | undefined;
  let beta: Gateway | undefined;

  beforeAll(async () => {
    model = await startFakeModel();
  });

  afterAll(async () => {
    await alpha?.cleanup();
    await beta?.cleanup();
    await model?.close();
  });

  it("keeps sessions apart, and refuses a third gateway", async () => {
    // One after the other: starting both at once on 2 shared cores can eat the 60 s readiness budget.
    alpha = await startE2eGateway(model, "alpha");
    beta = await startE2eGateway(model, "beta");
    const [a, b] = await Promise.all([alpha.connect(), beta.connect()]);
    expect(a.bootId).not.toBe(b.bootId);
    expect(a.hello.snapshot.stateDir).not.toBe(b.hello.snapshot.stateDir);

    const onlyA = namedKey("only-on-alpha");
    const onlyB = namedKey("only-on-beta");
    await a.request("sessions.create", { key: onlyA, label: "Shared label" });
    // Labels are unique per gateway store, so the same label on the other gateway is no clash.
    await b.request("sessions.create", { key: onlyB, label: "Shared label" });
    expect((await sendTurn(a, onlyA, "alpha secret")).text).toBe("ECHO: alpha secret");
    expect((await sendTurn(b, onlyB, "beta secret")).text).toBe("ECHO: beta secret");

    const keys = async (c: typeof a) =>
      (await c.request<{ sessions: { key: string }[] }>("sessions.list", {})).sessions.map((s) => s.key);
    expect(await keys(a)).toContain(onlyA);
    expect(await keys(a)).not.toContain(onlyB);
    expect(await keys(b)).toContain(onlyB);
    expect(await keys(b)).not.toContain(onlyA);
    expect((await history(a, onlyB)).messages).toEqual([]);
    expect((await history(b, onlyA)).messages).toEqual([]);
    // Neither gateway's model requests mention the other's conversation.
    const betaTurn = model.requests.find((r) => r.userText === "beta secret");
    expect(betaTurn?.messages.map((m) => m.text).join("\n")).not.toContain("alpha secret");

    await expect(startE2eGateway(model, "gamma")).rejects.toThrow(/third gateway/);
    expect(readdirSync(inject("e2eRunDir")).filter((n) => n.startsWith("gamma-"))).toEqual([]);
  });

  it("stops both cleanly", async () => {
    expect(await alpha?.stop()).toEqual({ code: 0, signal: null });
    expect(await beta?.stop()).toEqual({ code: 0, signal: null });
  });

  it("fails a gateway that is not ready in time with its log lines, and removes it", async () => {
    let error: Error | undefined;
    const late = startE2eGateway(model, "late", { readyTimeoutMs: 2000 }).catch((err: Error) => {
      error = err;
    });
    await late;
    expect(error?.message).toMatch(/late not ready within 2000 ms/);
    expect(error?.message).toContain("--- last log lines ---");
    const root = inject("e2eRunDir");
    expect(readdirSync(root).filter((n) => n.startsWith("late-"))).toEqual([]);
    expect(processesMentioning(`${root}/late-`)).toEqual([]);
    expect(existsSync(root)).toBe(true);
  });

  it("sent the fake model nothing it did not expect", () => {
    expect(model.unexpected()).toEqual([]);
  });
});
