/**
 * Exec approvals against one real gateway with OpenClaw's default config (and, first, two attachment facts that
 * only a default-config gateway shows), as docs/openclaw-agent-loop.md reports them:
 * - which connected client makes the gateway ask instead of denying a headless run;
 * - the exec.approval.requested / .resolved payloads, exec.approval.list / .get, approval.get, resolve and its
 *   errors, what the model and the chat see after allow-once and deny;
 * - a pending approval across an approver reconnect, an approval that expires, a graceful stop (SIGTERM) that
 *   waits for the pending run, and a crash (SIGKILL) after which the approval is cancelled.
 * The policy is set to ask for every command (`exec.approvals.set`, defaults ask "always"); the fake model
 * calls the `exec` tool with `echo approved-42`.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  attachment,
  gatewayError,
  PNG_1X1_BASE64,
  partsText,
  poll,
  sendWithAttachments,
  userParts,
} from "./harness/agent-loop.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "./harness/fake-model.ts";
import type { GatewayEvent } from "./harness/frames.ts";
import type { Gateway } from "./harness/gateway.ts";
import type { RawClient } from "./harness/raw-client.ts";
import { history, isChatEnd, rowText } from "./harness/turns.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMMAND = "echo approved-42";
const FINAL = "Model final after exec.";
const THIRTY_MINUTES = 30 * 60 * 1000;
const ALL_SCOPES = ["operator.read", "operator.write", "operator.admin"];

let model: FakeModel;
let gateway: Gateway;
/** Sends the turns: operator.admin, no capabilities. */
let client: RawClient;
/** The approver: operator.admin plus caps ["exec-approvals"]. */
let approver: RawClient;
let workspace: string;

beforeAll(async () => {
  model = await startFakeModel();
  gateway = await startE2eGateway(model, "agent-approvals");
  workspace = join(gateway.paths.stateDir, "workspace");
  client = await gateway.connect();
  model.when(/^run /, { kind: "tool", name: "exec", args: { command: COMMAND }, finalText: FINAL });
});

afterAll(async () => {
  await gateway?.cleanup();
  await model?.close();
});

async function connectApprover(caps = ["exec-approvals"], scopes = ALL_SCOPES): Promise<RawClient> {
  return gateway.connect({ caps, scopes });
}

/** The text of the last tool result the model received in `runId`'s follow-up request. */
function toolResultSeen(fromSeq: number): string | undefined {
  const followUp = model.requests.filter((r) => r.seq > fromSeq && r.kind === "tool-followup").at(-1);
  return followUp?.messages.filter((m) => m.role === "tool").at(-1)?.text;
}

/** Sends `text` (the fake model answers with the exec call) and waits for `watcher`'s exec.approval.requested. */
async function startPending(key: string, text: string, watcher: RawClient) {
  const since = client.mark();
  const watcherSince = watcher.mark();
  const modelSeq = model.requests.length;
  const ack = await client.request<{ runId: string }>("chat.send", {
    sessionKey: key,
    message: text,
    idempotencyKey: randomUUID(),
    deliver: false,
  });
  const requested = await watcher.waitForEvent((e) => e.event === "exec.approval.requested", 30_000, watcherSince);
  return { runId: ack.runId, id: String(requested.payload.id), requested, since, watcherSince, modelSeq };
}

async function newSession(slug: string): Promise<string> {
  const key = namedKey(slug);
  await client.request("sessions.create", { key, label: slug });
  return key;
}

describe("a default-config gateway", () => {
  it("advertises maxBytes 19464192 and maxImageBytes 6291456", () => {
    expect((client.hello.policy as Record<string, unknown>).attachments).toEqual({
      maxBytes: 19464192,
      maxImageBytes: 6291456,
    });
  });

  it("accepts a file one byte over the advertised maxBytes: chat.send enforces mediaMaxMb (20 MiB) instead", async () => {
    const key = await newSession("over-advertised");
    const bytes = Buffer.alloc(19464192 + 1, 7);
    const turn = await sendWithAttachments(client, model, key, "Just over the advertised limit", [
      attachment("file", "application/octet-stream", "big.bin", bytes),
    ]);
    expect(turn.state).toBe("final");
    expect(partsText(userParts(turn.requests[0]))).toContain("[Unsupported document format: application/octet-stream.");
  });

  it("sends no image part to a model declared with input ['text']: the image becomes a file reference", async () => {
    const key = await newSession("text-only-image");
    const turn = await sendWithAttachments(client, model, key, "A picture for a text-only model", [
      attachment("image", "image/png", "dot.png", Buffer.from(PNG_1X1_BASE64, "base64")),
    ]);
    expect(turn.state).toBe("final");
    const parts = userParts(turn.requests[0]);
    expect(parts.some((p) => p.type === "image_url")).toBe(false);
    expect(partsText(parts)).toMatch(
      new RegExp(
        `\\[media attached: media://inbound/dot---${UUID.source.slice(1, -1)}\\.png \\(image/png\\)\\]\\nA picture for a text-only model\\n\\n\\[Image attachment not analyzed: no image-understanding model is configured\\]\\n\\nRuntime: `,
      ),
    );
  });
});

describe("exec approvals", () => {
  let key: string;

  beforeAll(async () => {
    key = await newSession("approvals");
  });

  afterEach(async () => {
    // Nothing left pending: a pending approval would hold the next graceful stop for minutes.
    if (!client || client.closeInfo) return;
    const pending = await client.request<{ id: string }[]>("exec.approval.list", {}).catch(() => []);
    for (const p of pending)
      await client.request("exec.approval.resolve", { id: p.id, decision: "deny" }).catch(() => {});
  });

  it("reads and sets the policy with exec.approvals.get / exec.approvals.set (compare-and-swap on hash)", async () => {
    const before = await client.request<{ hash: string }>("exec.approvals.get", {});
    expect(before).toEqual({
      path: `${gateway.paths.stateDir}/state/openclaw.sqlite#exec_approvals_config`,
      exists: true,
      file: { version: 1, socket: { path: `${gateway.paths.stateDir}/exec-approvals.sock` }, defaults: {}, agents: {} },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      resolvedDefaults: { security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false },
    });
    const defaults = { security: "full", ask: "always", askFallback: "deny" };
    const after = await client.request<{ hash: string }>("exec.approvals.set", {
      file: { version: 1, defaults },
      baseHash: before.hash,
    });
    expect(after).toMatchObject({
      file: { version: 1, defaults },
      resolvedDefaults: { ...defaults, autoAllowSkills: false },
    });
    expect(after.hash).not.toBe(before.hash);
    const stale = await gatewayError(
      client.request("exec.approvals.set", { file: { version: 1, defaults }, baseHash: before.hash }),
    );
    expect(stale).toEqual({
      code: "INVALID_REQUEST",
      message: "exec approvals changed since last load; re-run exec.approvals.get and retry",
      details: undefined,
    });
  });

  it("denies a headless run when no client has operator.admin plus an approvals capability", async () => {
    // operator.approvals + caps ["exec-approvals"] is not enough: agent-made approvals are visible to admins only.
    const weak = await connectApprover(["exec-approvals"], ["operator.read", "operator.write", "operator.approvals"]);
    expect(weak.hello.auth.scopes).toEqual(["operator.read", "operator.write", "operator.approvals"]);
    const modelSeq = model.requests.length;
    const turn = await sendWithAttachments(client, model, key, "run headless", []);
    expect(turn).toMatchObject({ state: "final", text: FINAL });
    const seen = toolResultSeen(modelSeq) ?? "";
    expect(JSON.parse(seen)).toMatchObject({ status: "error", tool: "exec" });
    expect(JSON.parse(seen).error).toMatch(
      /^exec denied: Headless runs cannot wait for interactive exec approval\.\nEffective host exec policy: security=full ask=always askFallback=deny\n/,
    );
    expect(weak.events.some((e) => e.event === "exec.approval.requested")).toBe(false);
    const item = client.events
      .slice(turn.since)
      .find(
        (e) =>
          e.event === "agent" && e.payload.stream === "item" && (e.payload.data as { phase?: string }).phase === "end",
      );
    expect(item?.payload.data).toMatchObject({
      name: "exec",
      status: "failed",
      error: "exec denied: Headless runs cannot wait for interactive exec approval.",
    });
    await weak.close();
  });

  it("asks a client with operator.admin and caps ['approvals'] as well", async () => {
    const other = await connectApprover(["approvals"]);
    const pending = await startPending(key, "run approvals-cap", other);
    expect(pending.requested.payload).toMatchObject({ approvalKind: "exec", request: { command: COMMAND } });
    await other.request("exec.approval.resolve", { id: pending.id, decision: "deny" });
    await client.waitForEvent(isChatEnd(pending.runId), 60_000, pending.since);
    await other.close();
  });

  it("asks an admin exec-approvals client, runs the command on allow-once, and reports every step", async () => {
    approver = await connectApprover();
    const p = await startPending(key, "run allow-once", approver);
    const created = Number(p.requested.payload.createdAtMs);
    expect(p.requested.payload).toEqual({
      approvalKind: "exec",
      id: expect.stringMatching(UUID),
      request: {
        command: COMMAND,
        systemRunBinding: null,
        systemRunPlan: null,
        cwd: workspace,
        nodeId: null,
        host: "gateway",
        security: "full",
        ask: "always",
        warningText: null,
        scope: null,
        commandAnalysis: { commandCount: 1, nestedCommandCount: 0, riskKinds: [], warningLines: [] },
        unavailableDecisions: ["allow-always"],
        allowedDecisions: ["allow-once", "deny"],
        agentId: "main",
        resolvedPath: expect.stringMatching(/\/echo$/),
        sessionKey: key,
        sessionId: null,
        runId: p.runId,
        toolCallId: expect.stringMatching(/^callfake\d+$/),
        turnSourceChannel: "webchat",
        turnSourceTo: key,
        turnSourceAccountId: null,
        turnSourceThreadId: null,
        cronExecutionSource: null,
        cronOperationBinding: null,
      },
      createdAtMs: expect.any(Number),
      expiresAtMs: created + THIRTY_MINUTES,
    });
    const toolCallId = (p.requested.payload.request as { toolCallId: string }).toolCallId;
    // The run says it waits, on the agent lifecycle stream (every operator client gets it).
    const waiting = await client.waitForEvent(
      (e) => e.event === "agent" && (e.payload.data as { phase?: string } | undefined)?.phase === "waiting-approval",
      10_000,
      p.since,
    );
    expect(waiting.payload).toMatchObject({
      runId: p.runId,
      sessionKey: key,
      stream: "lifecycle",
      data: { phase: "waiting-approval", approvalId: p.id, toolCallId },
    });
    // The sender (admin, no caps) is not asked.
    expect(client.events.slice(p.since).some((e) => e.event === "exec.approval.requested")).toBe(false);

    expect(await approver.request("exec.approval.list", {})).toEqual([
      { ...p.requested.payload, approvalKind: "exec" },
    ]);
    expect(await approver.request("exec.approval.get", { id: p.id })).toEqual({
      id: p.id,
      commandText: COMMAND,
      commandPreview: null,
      allowedDecisions: ["allow-once", "deny"],
      host: "gateway",
      nodeId: null,
      agentId: "main",
      expiresAtMs: created + THIRTY_MINUTES,
    });
    const presentation = {
      kind: "exec",
      commandText: COMMAND,
      commandPreview: null,
      warningText: null,
      host: "gateway",
      nodeId: null,
      agentId: "main",
      allowedDecisions: ["allow-once", "deny"],
    };
    expect(await approver.request("approval.get", { id: p.id })).toEqual({
      approval: {
        id: p.id,
        status: "pending",
        presentation,
        urlPath: `/approve/${p.id}`,
        createdAtMs: created,
        expiresAtMs: created + THIRTY_MINUTES,
      },
    });

    // Refusals that leave it pending.
    const resolve = (id: string, decision: string) => approver.request("exec.approval.resolve", { id, decision });
    expect(await gatewayError(resolve(p.id, "allow-always"))).toEqual({
      code: "INVALID_REQUEST",
      message: "allow-always is unavailable for this command",
      details: { reason: "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE" },
    });
    expect(await gatewayError(resolve(p.id, "maybe"))).toMatchObject({
      code: "INVALID_REQUEST",
      message: "invalid decision",
    });
    expect(await gatewayError(resolve("no-such-approval", "deny"))).toEqual({
      code: "INVALID_REQUEST",
      message: "unknown or expired approval id",
      details: {
        reason: "APPROVAL_NOT_FOUND",
        remediation: "Re-request the action; pending approvals are cleared after expiry or restart.",
      },
    });

    const approverSince = approver.mark();
    expect(await resolve(p.id, "allow-once")).toEqual({ ok: true });
    const resolved = await approver.waitForEvent((e) => e.event === "exec.approval.resolved", 10_000, approverSince);
    expect(resolved.payload).toEqual({
      id: p.id,
      decision: "allow-once",
      resolvedBy: "threadkeeper-e2e",
      ts: expect.any(Number),
      request: p.requested.payload.request,
    });
    // Repeating the same decision is accepted, a different one is not.
    expect(await resolve(p.id, "allow-once")).toEqual({ ok: true });
    expect(await gatewayError(resolve(p.id, "deny"))).toEqual({
      code: "INVALID_REQUEST",
      message: "approval already resolved",
      details: { reason: "APPROVAL_ALREADY_RESOLVED" },
    });

    const end = await client.waitForEvent(isChatEnd(p.runId), 60_000, p.since);
    expect(end.payload.state).toBe("final");
    expect(toolResultSeen(p.modelSeq)).toBe("approved-42");
    const output = client.events
      .slice(p.since)
      .find(
        (e) =>
          e.event === "agent" &&
          e.payload.stream === "command_output" &&
          (e.payload.data as { phase?: string }).phase === "end",
      );
    expect(output?.payload.data).toMatchObject({ output: "approved-42", status: "completed", exitCode: 0 });
    expect(await approver.request("approval.get", { id: p.id })).toEqual({
      approval: {
        id: p.id,
        status: "allowed",
        presentation,
        urlPath: `/approve/${p.id}`,
        createdAtMs: created,
        expiresAtMs: created + THIRTY_MINUTES,
        resolvedAtMs: expect.any(Number),
        reason: "user",
        decision: "allow-once",
        source: { agentId: "main", sessionKey: key },
        resolver: { kind: "runtime", id: "threadkeeper-e2e" },
      },
    });
  });

  it("gives the model 'Exec denied (…, user-denied)' on deny, and the chat the model's own final text", async () => {
    const p = await startPending(key, "run deny", approver);
    expect(await approver.request("exec.approval.resolve", { id: p.id, decision: "deny" })).toEqual({ ok: true });
    const end = await client.waitForEvent(isChatEnd(p.runId), 60_000, p.since);
    const denied = `Exec denied (gateway id=${p.id}, user-denied): ${COMMAND}`;
    expect(toolResultSeen(p.modelSeq)).toBe(denied);
    expect(end.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text: FINAL }] } });
    const item = client.events
      .slice(p.since)
      .find(
        (e) =>
          e.event === "agent" && e.payload.stream === "item" && (e.payload.data as { phase?: string }).phase === "end",
      );
    expect(item?.payload.data).toMatchObject({ name: "exec", status: "failed", error: denied });
    expect(await approver.request("approval.get", { id: p.id })).toMatchObject({
      approval: { status: "denied", decision: "deny", reason: "user" },
    });
  });

  it("keeps an approval pending while the approver reconnects; it is listed, not re-sent, and resolvable", async () => {
    const p = await startPending(key, "run reconnect", approver);
    await approver.close();
    approver = await connectApprover();
    const listed = await approver.request<{ id: string }[]>("exec.approval.list", {});
    expect(listed.map((a) => a.id)).toEqual([p.id]);
    expect(approver.events.some((e) => e.event === "exec.approval.requested")).toBe(false);
    expect(await approver.request("approval.get", { id: p.id })).toMatchObject({ approval: { status: "pending" } });
    // A session subscription with includeApprovals replays it too.
    const sub = await approver.request("sessions.messages.subscribe", { key, includeApprovals: true });
    expect(sub).toMatchObject({
      subscribed: true,
      key,
      approvalReplay: {
        sessionKey: key,
        truncated: false,
        approvals: [{ id: p.id, status: "pending", sourceSessionKey: key }],
      },
    });
    await approver.request("exec.approval.resolve", { id: p.id, decision: "allow-once" });
    await client.waitForEvent(isChatEnd(p.runId), 60_000, p.since);
    expect(toolResultSeen(p.modelSeq)).toBe("approved-42");
    await approver.request("sessions.messages.unsubscribe", { key });
  });

  it("expires an approval after its timeoutMs (exec.approval.request from a client; the agent's is fixed at 30 min)", async () => {
    const approverSince = approver.mark();
    const request = client.requestTwoPhase(
      "exec.approval.request",
      { command: "echo expire-me", host: "gateway", sessionKey: key, agentId: "main", timeoutMs: 1500, twoPhase: true },
      20_000,
    );
    const accepted = (await request.accepted) as Record<string, number | string>;
    expect(accepted).toEqual({
      status: "accepted",
      id: expect.stringMatching(UUID),
      deliveryRoute: "approval-client",
      createdAtMs: expect.any(Number),
      expiresAtMs: Number(accepted.createdAtMs) + 1500,
    });
    expect(await request.final).toEqual({
      id: accepted.id,
      decision: null,
      createdAtMs: accepted.createdAtMs,
      expiresAtMs: accepted.expiresAtMs,
    });
    const events = approver.events.slice(approverSince).filter((e) => e.event.startsWith("exec.approval."));
    expect(events.map((e) => e.event)).toEqual(["exec.approval.requested", "exec.approval.resolved"]);
    expect(events[0]?.payload.request).toMatchObject({ allowedDecisions: ["allow-once", "allow-always", "deny"] });
    expect(events[1]?.payload).toMatchObject({ id: accepted.id, decision: "deny", resolvedBy: null });
    expect(await approver.request("approval.get", { id: accepted.id })).toMatchObject({
      approval: { status: "expired", reason: "timeout", resolver: { kind: "system" } },
    });
    expect(
      await gatewayError(approver.request("exec.approval.resolve", { id: accepted.id, decision: "allow-once" })),
    ).toMatchObject({ message: "approval already resolved", details: { reason: "APPROVAL_ALREADY_RESOLVED" } });
  });

  it("denies an exec.approval.request at once when no other approval client is connected (no-route)", async () => {
    await approver.close();
    const request = client.requestTwoPhase(
      "exec.approval.request",
      { command: "echo nobody-asked", host: "gateway", sessionKey: key, agentId: "main", twoPhase: true },
      20_000,
    );
    const final = (await request.final) as { id: string; decision: unknown };
    expect(final).toMatchObject({ decision: null });
    expect(await client.request("approval.get", { id: final.id })).toMatchObject({
      approval: {
        status: "denied",
        decision: "deny",
        reason: "no-route",
        resolver: { kind: "system", id: "no-approval-route" },
      },
    });
    approver = await connectApprover();
  });

  it("on SIGTERM waits for the pending approval's run: other calls are UNAVAILABLE, resolve still works", async () => {
    const p = await startPending(key, "run during stop", approver);
    const approverSince = approver.mark();
    const stopped = gateway.stop(120_000);
    const unavailable = await poll("the drain to refuse exec.approval.list", async () => {
      try {
        await client.request("exec.approval.list", {});
        return undefined;
      } catch (err) {
        return err as Error & { code?: string; details?: unknown };
      }
    });
    expect(unavailable).toMatchObject({
      code: "UNAVAILABLE",
      details: { reason: "gateway-restarting", phase: "accepting" },
    });
    expect(unavailable.message).toBe(
      "exec.approval.list failed: UNAVAILABLE exec.approval.list unavailable during gateway restart",
    );
    const send = await gatewayError(
      client.request("chat.send", { sessionKey: key, message: "hello", idempotencyKey: randomUUID(), deliver: false }),
    );
    expect(send).toEqual({
      code: "UNAVAILABLE",
      message: "chat.send unavailable during gateway restart",
      details: { method: "chat.send", reason: "gateway-restarting", phase: "accepting" },
    });
    expect(gateway.pid).toBeDefined();
    expect(await approver.request("exec.approval.resolve", { id: p.id, decision: "allow-once" })).toEqual({ ok: true });
    const exit = await stopped;
    expect(exit).toEqual({ code: 0, signal: null });
    // The run finished before the gateway said it was stopping.
    const order = (e: GatewayEvent) => client.events.indexOf(e);
    const end = client.events.find(isChatEnd(p.runId));
    const shutdown = client.events.find((e) => e.event === "shutdown");
    expect(end?.payload.state).toBe("final");
    expect(shutdown?.payload).toEqual({ reason: "gateway stopping" });
    expect(order(end as GatewayEvent)).toBeLessThan(order(shutdown as GatewayEvent));
    expect(await client.closed).toMatchObject({ code: 1012, reason: "service restart" });
    expect(toolResultSeen(p.modelSeq)).toBe("approved-42");
    expect(approver.events.slice(approverSince).map((e) => e.event)).toContain("exec.approval.resolved");

    await gateway.start();
    client = await gateway.connect();
    approver = await connectApprover();
  });

  it("after a crash (SIGKILL) the pending approval is cancelled (gateway-restart) and OpenClaw recovers the run", async () => {
    const p = await startPending(key, "run before crash", approver);
    const modelSeq = model.requests.length;
    await gateway.crash();
    await gateway.start();
    client = await gateway.connect();
    approver = await connectApprover();
    expect(await approver.request("exec.approval.list", {})).toEqual([]);
    const cancelled = await approver.request<{ approval: Record<string, unknown> }>("approval.get", { id: p.id });
    expect(cancelled.approval).toMatchObject({
      id: p.id,
      status: "cancelled",
      reason: "gateway-restart",
      resolver: { kind: "system" },
      resolvedAtMs: expect.any(Number),
    });
    expect(
      await gatewayError(approver.request("exec.approval.resolve", { id: p.id, decision: "allow-once" })),
    ).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unknown or expired approval id",
      details: { reason: "APPROVAL_NOT_FOUND" },
    });
    // Restart recovery re-runs the interrupted turn with a recovery prompt; the exec call is not replayed.
    await model.waitForRequest((r) => r.seq > modelSeq && r.kind === "recovery", 60_000);
    const recovered = await poll("the recovered answer in chat.history", async () => {
      const last = (await history(client, key)).messages.at(-1);
      return last?.role === "assistant" && rowText(last).startsWith("RECOVERED:") ? rowText(last) : undefined;
    });
    expect(recovered).toBe("RECOVERED: continuing");
    const afterCrash = (await approver.request<{ items: { id: string; status: string }[] }>("approval.history", {}))
      .items;
    expect(afterCrash.find((a) => a.id === p.id)?.status).toBe("cancelled");
  });
});
