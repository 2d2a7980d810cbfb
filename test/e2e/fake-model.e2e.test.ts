/**
 * The fake model on its own, spoken to the way OpenClaw speaks to it (request shapes from
 * docs/openclaw-live-peer.md §3.1). Fast: no gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeModel, HOLD_FIRST_CHUNK, startFakeModel } from "./harness/fake-model.ts";

const SYSTEM = { role: "system", content: "<!-- openclaw:attempt:STABLE -->\nYou are a personal assistant" };
const INTERNAL = {
  role: "user",
  content: [{ type: "text", text: "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\ndata<<<END_OPENCLAW_INTERNAL_CONTEXT>>>" }],
};
const TOOLS = [{ type: "function", function: { name: "ls", parameters: {} } }];

function wrapped(text: string): { role: string; content: string } {
  const runtime = "\n\nRuntime: agent=main | session=agent:main:named:x | sessionId=abc";
  return { role: "user", content: `[Thu 2026-11-26 12:00 UTC] ${text}${runtime}` };
}

async function post(model: FakeModel, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${model.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** The assistant text and finish reason of an SSE body. */
function streamed(sse: string): { text: string; finish: string[]; done: boolean } {
  const datas = sse
    .split("\n\n")
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6));
  const chunks = datas.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d));
  const choices = chunks.flatMap((c) => c.choices);
  return {
    text: choices.map((c) => c.delta?.content ?? "").join(""),
    finish: choices.map((c) => c.finish_reason).filter(Boolean),
    done: datas.at(-1) === "[DONE]",
  };
}

describe("fake model", () => {
  let model: FakeModel;
  beforeAll(async () => {
    model = await startFakeModel();
  });
  afterAll(() => model.close());

  it("echoes the person's text, not OpenClaw's wrapping or internal context", async () => {
    const res = await post(model, {
      model: "echo-1",
      stream: true,
      messages: [SYSTEM, wrapped("Plan my budget"), INTERNAL],
      tools: TOOLS,
    });
    expect(res.status).toBe(200);
    expect(streamed(res.text)).toEqual({ text: "ECHO: Plan my budget", finish: ["stop"], done: true });
    expect(model.requests.at(-1)).toMatchObject({
      kind: "turn",
      mode: "echo",
      userText: "Plan my budget",
      toolNames: ["ls"],
    });
  });

  it("holds an answer until released", async () => {
    const pending = post(model, { stream: true, messages: [SYSTEM, wrapped("HOLD this one"), INTERNAL], tools: TOOLS });
    const held = await model.waitForHeld();
    expect(held.userText).toBe("HOLD this one");
    expect(model.heldCount).toBe(1);
    model.release();
    const res = await pending;
    expect(streamed(res.text).text).toBe(`${HOLD_FIRST_CHUNK}ECHO: HOLD this one`);
    expect(held.outcome).toBe("released");
  });

  it("makes a tool call, then answers the follow-up with text", async () => {
    model.when("list files", { kind: "tool", name: "ls", args: { path: "." }, finalText: "Listed." }, 1);
    const first = await post(model, {
      stream: true,
      messages: [SYSTEM, wrapped("list files"), INTERNAL],
      tools: TOOLS,
    });
    const callChunk = first.text.split("\n\n").find((b) => b.includes("tool_calls")) ?? "";
    const id = JSON.parse(callChunk.slice(6)).choices[0].delta.tool_calls[0].id as string;
    expect(streamed(first.text).finish).toEqual(["tool_calls"]);
    const assistant = {
      role: "assistant",
      content: null,
      tool_calls: [{ id, type: "function", function: { name: "ls", arguments: "{}" } }],
    };
    const followUp = [
      SYSTEM,
      wrapped("list files"),
      assistant,
      { role: "tool", tool_call_id: id, content: "a.md" },
      INTERNAL,
    ];
    const second = await post(model, { stream: true, messages: followUp, tools: TOOLS });
    expect(streamed(second.text).text).toBe("Listed.");
    expect(model.requests.at(-1)?.kind).toBe("tool-followup");
  });

  it("answers HTTP 500 once for a FAIL500 text, then normally", async () => {
    const body = { stream: true, messages: [SYSTEM, wrapped("FAIL500 once"), INTERNAL], tools: TOOLS };
    expect((await post(model, body)).status).toBe(500);
    expect(streamed((await post(model, body)).text).text).toBe("ECHO: FAIL500 once");
  });

  it("answers OpenClaw's restart-recovery prompt and the title request", async () => {
    const recovery = `[Queued user message from a previous active turn; preserved as context only.]\nHOLD long task\n\n[System] Your previous turn was interrupted by a gateway restart while …`;
    const res = await post(model, { stream: true, messages: [SYSTEM, wrapped(recovery), INTERNAL], tools: TOOLS });
    expect(streamed(res.text).text).toBe("RECOVERED: HOLD long task");
    const title = await post(model, {
      messages: [
        { role: "system", content: "Generate a short title" },
        { role: "user", content: "hi" },
      ],
    });
    expect(JSON.parse(title.text).choices[0].message.content).toBe("E2E thread");
  });

  it("answers requests it did not expect with a clear error and records them", async () => {
    const before = model.unexpected().length;
    const noMessages = await post(model, { stream: true });
    expect(noMessages.status).toBe(400);
    expect(noMessages.text).toContain("fake-model: unexpected request");
    const unknownTool = await fetch(`${model.baseUrl}/embeddings`, { method: "POST", body: "{}" });
    expect(unknownTool.status).toBe(400);
    expect(model.unexpected().length).toBe(before + 2);
    expect((await fetch(`${model.baseUrl}/models`)).status).toBe(200);
  });
});
