/**
 * The non-text parts of a turn against one real gateway, as docs/openclaw-agent-loop.md reports them:
 * 1. files and images to the agent (`chat.send` attachments: what the model receives, what is refused and how);
 * 2. files and images from the agent (standalone `MEDIA:` lines: events, chat.history, the two authenticated
 *    HTTP routes an operator client fetches the bytes from);
 * 3. live tool progress (`agent` events of streams `tool`, `item`, `command_output`, with and without the
 *    `tool-events` capability).
 * The gateway declares the fake model as taking images and sets `agents.defaults.mediaMaxMb: 8`, so the
 * non-image size limit is reachable within one WebSocket frame. Exec approvals: agent-approvals.e2e.test.ts.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  attachment,
  gatewayError,
  httpGet,
  imageModelConfig,
  PNG_1X1_BASE64,
  partsText,
  pngOfSize,
  poll,
  sendWithAttachments,
  tinyPdf,
  tinyWav,
  userParts,
} from "./harness/agent-loop.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "./harness/fake-model.ts";
import type { GatewayEvent } from "./harness/frames.ts";
import type { Gateway } from "./harness/gateway.ts";
import { RawClient } from "./harness/raw-client.ts";
import { type HistoryRow, history } from "./harness/turns.ts";

const PNG = Buffer.from(PNG_1X1_BASE64, "base64");
const MEDIA_MAX_MB = 8;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TIMESTAMP = String.raw`^\[[^\]\n]+ UTC\] `;
const UNAUTHORIZED = { error: { message: "Unauthorized", type: "unauthorized" } };

let model: FakeModel;
let gateway: Gateway;
let client: RawClient;
/** The agent's workspace: `<stateDir>/workspace` (the `repo=` of OpenClaw's Runtime line). */
let workspace: string;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

beforeAll(async () => {
  model = await startFakeModel();
  gateway = await startE2eGateway(model, "agent-loop", {
    configure: imageModelConfig(MEDIA_MAX_MB),
  });
  workspace = join(gateway.paths.stateDir, "workspace");
  client = await gateway.connect();
});

afterAll(async () => {
  await gateway?.cleanup();
  await model?.close();
});

async function newSession(slug: string): Promise<string> {
  const key = namedKey(slug);
  await client.request("sessions.create", { key, label: slug });
  return key;
}

describe("files and images to the agent (chat.send attachments)", () => {
  it("advertises the attachment ceilings in hello-ok policy.attachments (mediaMaxMb 8)", () => {
    const policy = client.hello.policy as Record<string, unknown>;
    expect(policy.attachments).toEqual({ maxBytes: MEDIA_MAX_MB * 1024 * 1024, maxImageBytes: 6291456 });
    expect(policy.maxPayload).toBe(26214400);
  });

  it("sends a PNG with its caption to the model as one request: text, image_url, text", async () => {
    const key = await newSession("att-png");
    model.when("What is in this picture?", { kind: "text", text: "A dot." }, 1);
    const turn = await sendWithAttachments(client, model, key, "What is in this picture?", [
      attachment("image", "image/png", "dot.png", PNG),
    ]);
    expect(turn).toMatchObject({ state: "final", text: "A dot." });
    expect(turn.requests).toHaveLength(1);
    const parts = userParts(turn.requests[0]);
    expect(parts.map((p) => p.type)).toEqual(["text", "image_url", "text"]);
    // The image is also staged into the workspace, and the caption follows a reference to that copy.
    const staged = new RegExp(
      `${TIMESTAMP}\\[media attached: (${escapeRegExp(workspace)}/media/inbound/openclaw-staged-${UUID}/input-${UUID}\\.png) \\(image/png\\)\\]\\nWhat is in this picture\\?$`,
    ).exec(parts[0]?.text ?? "");
    expect(staged, parts[0]?.text).not.toBeNull();
    expect(readFileSync(staged?.[1] ?? "")).toEqual(PNG);
    expect(parts[1]?.image_url?.url).toBe(`data:image/png;base64,${PNG_1X1_BASE64}`);
    expect(parts[2]?.text).toMatch(/^Runtime: agent=main \| session=agent:main:named:att-png \|/);
    expect(parts[2]?.text).toContain(`repo=${workspace} |`);

    const user = (await history(client, key)).messages.find((m) => m.role === "user") as HistoryRow & {
      __openclaw: { media?: unknown };
    };
    expect(user.content).toBe("What is in this picture?");
    expect(user.__openclaw.media).toEqual([
      {
        url: expect.stringMatching(new RegExp(`^media://inbound/${UUID}\\.png$`)),
        contentType: "image/png",
        kind: "image",
        sizeBytes: 70,
      },
    ]);
  });

  it("sends three images of one chat.send in one request, numbered in the text", async () => {
    const key = await newSession("att-three");
    const images = ["a.png", "b.png", "c.png"].map((name) => attachment("image", "image/png", name, PNG));
    const turn = await sendWithAttachments(client, model, key, "Three pictures", images);
    expect(turn.requests).toHaveLength(1);
    const parts = userParts(turn.requests[0]);
    expect(parts.filter((p) => p.type === "image_url")).toHaveLength(3);
    expect(parts.slice(1, 4).every((p) => p.type === "image_url")).toBe(true);
    const text = parts[0]?.text ?? "";
    expect(text).toMatch(new RegExp(`${TIMESTAMP}\\[media attached: 3 files\\]\\n\\[media attached 1/3: `));
    expect(text).toContain("\n[media attached 3/3: ");
    expect(text).toMatch(/\nThree pictures$/);
  });

  it("extracts a PDF's text into a <file> block and also sends its first page as an image", async () => {
    const key = await newSession("att-pdf");
    const pdf = tinyPdf("Hello PDF");
    const turn = await sendWithAttachments(client, model, key, "Read this PDF", [
      attachment("file", "application/pdf", "doc.pdf", pdf),
    ]);
    expect(turn.requests).toHaveLength(1);
    const parts = userParts(turn.requests[0]);
    const text = parts[0]?.text ?? "";
    const ref = new RegExp(
      `\\[media attached: (media://inbound/doc---${UUID}\\.pdf) \\(application/pdf\\)\\]\\nRead this PDF`,
    ).exec(text);
    expect(ref, text).not.toBeNull();
    const name = ref?.[1]?.slice("media://inbound/".length) ?? "";
    expect(text).toContain(`<file name="${name}" mime="application/pdf">`);
    expect(text).toMatch(
      /<<<EXTERNAL_UNTRUSTED_CONTENT id="[0-9a-f]+">>>\nSource: External\n---\nHello PDF\n<<<END_EXTERNAL/,
    );
    const images = parts.filter((p) => p.type === "image_url");
    expect(images).toHaveLength(1);
    expect(images[0]?.image_url?.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const user = (await history(client, key)).messages.find((m) => m.role === "user") as HistoryRow & {
      __openclaw: { media?: unknown };
    };
    expect(user.__openclaw.media).toEqual([
      {
        url: ref?.[1],
        contentType: "application/pdf",
        kind: "document",
        fileName: "doc.pdf",
        sizeBytes: pdf.length,
        hydrationSuppressed: true,
      },
    ]);
  });

  it("gives the model only the saved path of a binary file of unknown type", async () => {
    const key = await newSession("att-bin");
    const bytes = Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 254, 255, 7, 8, 9]);
    const turn = await sendWithAttachments(client, model, key, "Binary blob", [
      attachment("file", "application/octet-stream", "blob.bin", bytes),
    ]);
    const parts = userParts(turn.requests[0]);
    expect(parts.map((p) => p.type)).toEqual(["text"]);
    const text = partsText(parts);
    expect(text).toContain(
      "[Unsupported document format: application/octet-stream. The approved local file path follows as external attachment metadata. Its text is not extracted automatically. Read the file yourself with your tools before answering; do not ask the user to paste the contents.]",
    );
    const saved = new RegExp(`\\n(${escapeRegExp(gateway.paths.stateDir)}/media/inbound/blob---${UUID}\\.bin)\\n`).exec(
      text,
    );
    expect(saved, text).not.toBeNull();
    expect(readFileSync(saved?.[1] ?? "")).toEqual(bytes);
    expect(text).toMatch(
      new RegExp(
        `${TIMESTAMP}\\[media attached: media://inbound/blob---${UUID}\\.bin \\(application/octet-stream\\)\\]`,
      ),
    );
  });

  it("inlines a text/plain file's content", async () => {
    const key = await newSession("att-txt");
    const turn = await sendWithAttachments(client, model, key, "A text file", [
      attachment("file", "text/plain", "notes.txt", Buffer.from("hello notes\nline 2\n")),
    ]);
    const text = partsText(userParts(turn.requests[0]));
    expect(text).toMatch(new RegExp(`<file name="notes---${UUID}\\.txt" mime="text/plain">`));
    expect(text).toContain("---\nhello notes\nline 2\n<<<END_EXTERNAL_UNTRUSTED_CONTENT");
  });

  it("gives the model only a note for an audio file (no audio model configured)", async () => {
    const key = await newSession("att-wav");
    const turn = await sendWithAttachments(client, model, key, "A voice note", [
      attachment("audio", "audio/wav", "voice.wav", tinyWav()),
    ]);
    expect(turn.state).toBe("final");
    const parts = userParts(turn.requests[0]);
    expect(parts.map((p) => p.type)).toEqual(["text"]);
    const text = partsText(parts);
    expect(text).toMatch(
      new RegExp(`\\[media attached: media://inbound/voice---${UUID}\\.wav \\(audio/wav\\)\\]\\nA voice note`),
    );
    expect(text).toContain("[Audio attachment not analyzed: no audio-understanding model is configured]");
  });

  it("refuses empty, oversized and non-base64 attachments with INVALID_REQUEST, before any run", async () => {
    const key = await newSession("att-refused");
    const send = (fileAttachment: unknown) =>
      gatewayError(
        client.request("chat.send", {
          sessionKey: key,
          message: "refused",
          idempotencyKey: randomUUID(),
          deliver: false,
          attachments: [fileAttachment],
        }),
      );
    const before = model.requests.length;
    expect(await send({ type: "file", mimeType: "text/plain", fileName: "empty.txt", content: "" })).toEqual({
      code: "INVALID_REQUEST",
      message: "UnsupportedAttachmentError: attachment empty.txt: empty payload",
      details: undefined,
    });
    expect(await send(attachment("image", "image/png", "big.png", pngOfSize(6291457)))).toMatchObject({
      code: "INVALID_REQUEST",
      message: "Error: attachment big.png: image exceeds size limit (6291457 > 6291456 bytes)",
    });
    const maxBytes = MEDIA_MAX_MB * 1024 * 1024;
    const big = Buffer.alloc(maxBytes + 1, 7);
    expect(await send(attachment("file", "application/octet-stream", "big.bin", big))).toMatchObject({
      code: "INVALID_REQUEST",
      message: `Error: attachment big.bin: exceeds size limit (${maxBytes + 1} > ${maxBytes} bytes)`,
    });
    expect(
      await send({ type: "file", mimeType: "text/plain", fileName: "x.txt", content: "!!!not base64***" }),
    ).toMatchObject({
      code: "INVALID_REQUEST",
      message: "Error: attachment x.txt: invalid base64 content",
    });
    // None of them reached the model or the transcript.
    const turn = await sendWithAttachments(client, model, key, "after the refusals", []);
    expect(
      model.requests
        .slice(before)
        .filter((r) => r.kind === "turn")
        .map((r) => r.userText),
    ).toEqual(["after the refusals"]);
    const users = (await history(client, key)).messages.filter((m) => m.role === "user");
    expect(users.map((m) => m.content)).toEqual(["after the refusals"]);
    expect(turn.state).toBe("final");
  });

  it("accepts a corrupt image/png and tells the model it could not be loaded", async () => {
    const key = await newSession("att-corrupt");
    const turn = await sendWithAttachments(client, model, key, "Corrupt image", [
      attachment("image", "image/png", "bad.png", Buffer.from("this is not a png at all, sorry")),
    ]);
    expect(turn.state).toBe("final");
    const parts = userParts(turn.requests[0]);
    expect(parts.some((p) => p.type === "image_url")).toBe(false);
    expect(parts.map((p) => p.text)).toContain(
      "System note: 1 image attachment could not be loaded; their image contents are unavailable. Tell the user and ask them to resend the image; do not claim inspection.",
    );
  });

  it("also takes Anthropic-style source objects and data URLs, and silently drops an attachment with only a url", async () => {
    const key = await newSession("att-shapes");
    const source = await sendWithAttachments(client, model, key, "source form", [
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_1X1_BASE64 } },
    ]);
    expect(userParts(source.requests[0]).find((p) => p.type === "image_url")?.image_url?.url).toBe(
      `data:image/png;base64,${PNG_1X1_BASE64}`,
    );
    const dataUrl = await sendWithAttachments(client, model, key, "data url form", [
      { type: "image", mimeType: "image/png", content: `data:image/png;base64,${PNG_1X1_BASE64}` },
    ]);
    expect(userParts(dataUrl.requests[0]).some((p) => p.type === "image_url")).toBe(true);
    const url = await sendWithAttachments(client, model, key, "url form", [
      { type: "image", mimeType: "image/png", url: "https://example.com/a.png" },
    ]);
    expect(url).toMatchObject({ state: "final", text: "ECHO: url form" });
    expect(partsText(userParts(url.requests[0]))).not.toContain("[media attached");
  });

  it("closes the socket (1009) for a chat.send frame over policy.maxPayload", async () => {
    const victim = await RawClient.connect({ url: gateway.url, token: gateway.token });
    const huge = Buffer.alloc(20 * 1024 * 1024, 1).toString("base64"); // 27.9 MB of base64 > 25 MiB
    const answer = victim
      .request("chat.send", {
        sessionKey: namedKey("att-frame"),
        message: "too big",
        idempotencyKey: randomUUID(),
        deliver: false,
        attachments: [{ type: "file", mimeType: "application/octet-stream", fileName: "huge.bin", content: huge }],
      })
      .catch((err: Error) => err);
    const closed = await victim.closed;
    expect(closed.code).toBe(1009);
    expect(String(await answer)).toContain("connection closed (1009");
  });
});

/** The assistant row of `runId` once the gateway has replaced its MEDIA lines with structured parts. */
async function structuredRow(key: string, runId: string): Promise<HistoryRow> {
  return poll(`structured media parts in the history row of ${runId}`, async () => {
    const rows = (await history(client, key)).messages;
    const row = rows.find((m) => m.role === "assistant" && m.__openclaw?.runId === runId);
    const parts = Array.isArray(row?.content) ? (row.content as { type: string }[]) : [];
    return parts.some((p) => p.type !== "text") ? row : undefined;
  });
}

/** The `agent` events of stream `assistant` of one run. */
function assistantEvents(since: number, runId: string): GatewayEvent[] {
  return client.events
    .slice(since)
    .filter((e) => e.event === "agent" && e.payload.runId === runId && e.payload.stream === "assistant");
}

describe("files and images from the agent (MEDIA: lines)", () => {
  let key: string;
  const bearer = () => ({ authorization: `Bearer ${gateway.token}` });

  beforeAll(async () => {
    key = await newSession("media");
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, "chart.png"), PNG);
    writeFileSync(join(workspace, "report.pdf"), tinyPdf("Report"));
    writeFileSync(join(workspace, "blob.bin"), Buffer.from([0, 1, 2, 3, 4, 5, 250, 251]));
    writeFileSync(join(gateway.paths.root, "outside.png"), PNG);
  });

  it("turns a standalone MEDIA:<absolute png> line into mediaUrls, then into a managed image served with the token", async () => {
    const path = join(workspace, "chart.png");
    model.when("send the chart", { kind: "text", text: `Here is the chart.\n\nMEDIA:${path}` }, 1);
    const turn = await sendWithAttachments(client, model, key, "send the chart", []);
    // The chat events carry the text without the line and no media at all.
    expect(turn.end.message).toMatchObject({
      role: "assistant",
      content: [{ type: "text", text: "Here is the chart." }],
    });
    const deltas = client.events.slice(turn.since).filter((e) => e.event === "chat" && e.payload.runId === turn.runId);
    expect(JSON.stringify(deltas)).not.toContain("MEDIA:");
    // The agent event of stream "assistant" carries the path as written.
    const withMedia = assistantEvents(turn.since, turn.runId).filter((e) => "mediaUrls" in (e.payload.data as object));
    expect(withMedia.map((e) => e.payload.data)).toEqual([
      { text: "Here is the chart.", delta: "", mediaUrls: [path], itemId: expect.any(String) },
    ]);

    const row = await structuredRow(key, turn.runId);
    const image = (row.content as Record<string, unknown>[])[1] as Record<string, string>;
    expect(row.content).toEqual([
      { type: "text", text: "Here is the chart." },
      {
        type: "image",
        artifactId: expect.stringMatching(new RegExp(`^artifact_managed_image_${UUID}$`)),
        url: expect.stringMatching(new RegExp(`^/api/chat/media/outgoing/agent%3Amain%3Anamed%3Amedia/${UUID}/full$`)),
        openUrl: image.url,
        alt: "chart.png",
        mimeType: "image/png",
        width: 1,
        height: 1,
        sizeBytes: 70,
      },
    ]);
    const url = image.url ?? "";

    // Route 1: the managed attachment, with the gateway token as a bearer header.
    const noAuth = await httpGet(gateway.port, url);
    expect(noAuth.status).toBe(401);
    expect(JSON.parse(noAuth.body.toString())).toEqual(UNAUTHORIZED);
    expect((await httpGet(gateway.port, `${url}?token=${gateway.token}`)).status).toBe(401);
    const full = await httpGet(gateway.port, url, bearer());
    expect(full.status).toBe(200);
    expect(full.body).toEqual(PNG);
    expect(full.headers).toMatchObject({
      "content-type": "image/png",
      "content-length": "70",
      "content-disposition": `inline; filename="chart.png"; filename*=UTF-8''chart.png`,
      "cache-control": "private, max-age=31536000, immutable",
      "accept-ranges": "bytes",
    });
    const thumbnail = await httpGet(gateway.port, url.replace(/\/full$/, "/thumbnail"), bearer());
    expect(thumbnail).toMatchObject({ status: 200, headers: { "content-type": "image/png" } });

    // Or a short-lived ticket URL from artifacts.download, usable without any header.
    const download = await client.request<{ url: string; expiresAt: string }>("artifacts.download", {
      sessionKey: key,
      artifactId: image.artifactId,
    });
    expect(download.url.startsWith(`${url}?mediaTicket=v1.`)).toBe(true);
    expect(Date.parse(download.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect((await httpGet(gateway.port, download.url)).body).toEqual(PNG);

    // Route 2: the local-file route by path (what the Control UI uses for MEDIA paths).
    const q = `source=${encodeURIComponent(path)}&sessionKey=${encodeURIComponent(key)}`;
    expect((await httpGet(gateway.port, `/__openclaw__/assistant-media?${q}`)).status).toBe(401);
    const meta = await httpGet(gateway.port, `/__openclaw__/assistant-media?meta=1&${q}`, bearer());
    expect(JSON.parse(meta.body.toString())).toEqual({
      available: true,
      mimeType: "image/png",
      sizeBytes: 70,
      mediaTicket: expect.stringMatching(/^v1\./),
      mediaTicketExpiresAt: expect.any(String),
    });
    const bytes = await httpGet(gateway.port, `/__openclaw__/assistant-media?${q}`, bearer());
    expect(bytes).toMatchObject({ status: 200, body: PNG, headers: { "content-type": "image/png" } });
    const byQueryToken = await httpGet(gateway.port, `/__openclaw__/assistant-media?${q}&token=${gateway.token}`);
    expect(byQueryToken.status).toBe(200);
    const ranged = await httpGet(gateway.port, `/__openclaw__/assistant-media?${q}`, {
      ...bearer(),
      range: "bytes=0-9",
    });
    expect(ranged).toMatchObject({ status: 206, headers: { "content-range": "bytes 0-9/70" } });
  });

  it("resolves a relative MEDIA:./report.pdf in the workspace into a document attachment", async () => {
    model.when("send the report", { kind: "text", text: "Your report.\nMEDIA:./report.pdf" }, 1);
    const turn = await sendWithAttachments(client, model, key, "send the report", []);
    expect(turn.text).toBe("Your report.");
    expect(
      assistantEvents(turn.since, turn.runId).map((e) => (e.payload.data as { mediaUrls?: string[] }).mediaUrls),
    ).toContainEqual(["./report.pdf"]);
    const row = await structuredRow(key, turn.runId);
    const pdf = readFileSync(join(workspace, "report.pdf"));
    expect(row.content).toEqual([
      { type: "text", text: "Your report." },
      {
        type: "attachment",
        attachment: {
          artifactId: expect.stringMatching(new RegExp(`^artifact_managed_media_${UUID}$`)),
          url: expect.stringMatching(
            new RegExp(`^/api/chat/media/outgoing/agent%3Amain%3Anamed%3Amedia/${UUID}/full$`),
          ),
          kind: "document",
          label: "report.pdf",
          mimeType: "application/pdf",
          sizeBytes: pdf.length,
        },
      },
    ]);
    const url = ((row.content as { attachment?: { url: string } }[])[1]?.attachment?.url ?? "") as string;
    const full = await httpGet(gateway.port, url, bearer());
    expect(full).toMatchObject({
      status: 200,
      body: pdf,
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
      },
    });
    expect((await httpGet(gateway.port, url.replace(/\/full$/, "/thumbnail"), bearer())).status).toBe(404);
  });

  it("records a MEDIA path that does not exist as an attachment_error (file-not-found)", async () => {
    const path = join(workspace, "nope.png");
    model.when("send a missing file", { kind: "text", text: `Oops.\nMEDIA:${path}` }, 1);
    const turn = await sendWithAttachments(client, model, key, "send a missing file", []);
    expect(turn.text).toBe("Oops.");
    expect(
      assistantEvents(turn.since, turn.runId).map((e) => (e.payload.data as { mediaUrls?: string[] }).mediaUrls),
    ).toContainEqual([path]);
    const row = await structuredRow(key, turn.runId);
    expect(row.content).toEqual([
      { type: "text", text: "Oops." },
      {
        type: "attachment_error",
        attachment: { code: "file-not-found", kind: "image", label: "nope.png", mimeType: "image/png" },
      },
    ]);
    const q = `source=${encodeURIComponent(path)}&sessionKey=${encodeURIComponent(key)}`;
    const meta = await httpGet(gateway.port, `/__openclaw__/assistant-media?meta=1&${q}`, bearer());
    expect(JSON.parse(meta.body.toString())).toEqual({
      available: false,
      code: "file-not-found",
      reason: "File not found",
    });
    expect((await httpGet(gateway.port, `/__openclaw__/assistant-media?${q}`, bearer())).status).toBe(404);
  });

  it("refuses to deliver a file outside the workspace, while the local-file route still serves it", async () => {
    const path = join(gateway.paths.root, "outside.png");
    model.when("send an outside file", { kind: "text", text: `Outside.\nMEDIA:${path}` }, 1);
    const turn = await sendWithAttachments(client, model, key, "send an outside file", []);
    const row = await structuredRow(key, turn.runId);
    expect(row.content).toEqual([
      { type: "text", text: "Outside." },
      {
        type: "attachment_error",
        attachment: { code: "delivery-failed", kind: "image", label: "outside.png", mimeType: "image/png" },
      },
    ]);
    const q = `source=${encodeURIComponent(path)}&sessionKey=${encodeURIComponent(key)}`;
    const meta = JSON.parse(
      (await httpGet(gateway.port, `/__openclaw__/assistant-media?meta=1&${q}`, bearer())).body.toString(),
    );
    expect(meta).toMatchObject({ available: true, mimeType: "image/png" });
  });

  it("refuses to deliver a binary file of unknown type (unsupported-format)", async () => {
    model.when("send the blob", { kind: "text", text: "Blob.\nMEDIA:blob.bin" }, 1);
    const turn = await sendWithAttachments(client, model, key, "send the blob", []);
    const row = await structuredRow(key, turn.runId);
    expect(row.content).toEqual([
      { type: "text", text: "Blob." },
      { type: "attachment_error", attachment: { code: "unsupported-format", kind: "document", label: "blob.bin" } },
    ]);
  });

  it("leaves MEDIA: inside a sentence and [[media_url: …]] as plain text", async () => {
    const path = join(workspace, "chart.png");
    const text = `Inline MEDIA:${path} here.\nLink [[media_url: ${path}]]`;
    model.when("inline forms", { kind: "text", text }, 1);
    const turn = await sendWithAttachments(client, model, key, "inline forms", []);
    expect(turn.text).toBe(text);
    expect(assistantEvents(turn.since, turn.runId).some((e) => "mediaUrls" in (e.payload.data as object))).toBe(false);
  });
});

describe("live tool progress (agent events)", () => {
  it("streams start and result of three sequential tool calls on stream tool, only with caps tool-events", async () => {
    const withCap = await gateway.connect({ caps: ["tool-events"] });
    const withoutCap = await gateway.connect();
    const key = namedKey("tools");
    await withCap.request("sessions.create", { key, label: "tools" });
    model.when(
      "three tools please",
      {
        kind: "tool",
        name: "exec",
        args: { command: "echo one" },
        nextCalls: [
          { name: "read", args: { path: "AGENTS.md" } },
          { name: "exec", args: { command: "echo three" } },
        ],
        finalText: "All three done.",
      },
      1,
    );
    const otherSince = withoutCap.mark();
    const turn = await sendWithAttachments(withCap, model, key, "three tools please", []);
    expect(turn).toMatchObject({ state: "final", text: "All three done." });
    expect(turn.requests.map((r) => r.kind)).toEqual(["turn", "tool-followup", "tool-followup", "tool-followup"]);

    const ofRun = (c: RawClient, since: number, stream: string) =>
      c.events
        .slice(since)
        .filter((e) => e.event === "agent" && e.payload.runId === turn.runId && e.payload.stream === stream)
        .map((e) => e.payload);
    const tool = ofRun(withCap, turn.since, "tool");
    const data = tool.map((p) => p.data as Record<string, unknown>).filter((d) => d.phase !== "update");
    const ids = data.filter((d) => d.phase === "start").map((d) => String(d.toolCallId));
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^callfake\d+$/);
    expect(data).toEqual([
      { phase: "start", name: "exec", toolCallId: ids[0], args: { command: "echo one" } },
      {
        phase: "result",
        name: "exec",
        toolCallId: ids[0],
        meta: "print text",
        isError: false,
        commandBearing: true,
        result: {
          content: [{ type: "text", text: "one" }],
          details: expect.objectContaining({ status: "completed", exitCode: 0, aggregated: "one", cwd: workspace }),
        },
      },
      { phase: "start", name: "read", toolCallId: ids[1], args: { path: "AGENTS.md" } },
      expect.objectContaining({
        phase: "result",
        name: "read",
        toolCallId: ids[1],
        isError: false,
        commandBearing: false,
      }),
      { phase: "start", name: "exec", toolCallId: ids[2], args: { command: "echo three" } },
      expect.objectContaining({ phase: "result", name: "exec", toolCallId: ids[2], isError: false }),
    ]);
    for (const p of tool) expect(p).toMatchObject({ sessionKey: key, agentId: "main", seq: expect.any(Number) });
    // exec also streams partial output on phase "update".
    const updates = tool.map((p) => p.data as Record<string, unknown>).filter((d) => d.phase === "update");
    for (const u of updates) expect(u).toMatchObject({ name: "exec", partialResult: { content: [{ type: "text" }] } });

    // Without the capability: no stream "tool", but the item and command_output streams arrive all the same.
    expect(ofRun(withoutCap, otherSince, "tool")).toEqual([]);
    const items = ofRun(withoutCap, otherSince, "item").map((p) => p.data as Record<string, unknown>);
    expect(items.filter((d) => d.phase !== "update").map((d) => [d.phase, d.name, d.toolCallId, d.status])).toEqual([
      ["start", "exec", ids[0], "running"],
      ["end", "exec", ids[0], "completed"],
      ["start", "read", ids[1], "running"],
      ["end", "read", ids[1], "completed"],
      ["start", "exec", ids[2], "running"],
      ["end", "exec", ids[2], "completed"],
    ]);
    expect(items[0]).toEqual({
      itemId: `tool:${ids[0]}`,
      toolCallId: ids[0],
      name: "exec",
      kind: "tool",
      phase: "start",
      title: "Exec print text",
      status: "running",
      meta: "print text",
      commandBearing: true,
      startedAt: expect.any(Number),
    });
    const output = ofRun(withoutCap, otherSince, "command_output").map((p) => p.data as Record<string, unknown>);
    expect(output.filter((d) => d.phase === "end")).toEqual([
      {
        itemId: `command:${ids[0]}`,
        phase: "end",
        title: "command print text",
        toolCallId: ids[0],
        name: "exec",
        output: "one",
        status: "completed",
        exitCode: 0,
        durationMs: expect.any(Number),
        cwd: workspace,
      },
      expect.objectContaining({ itemId: `command:${ids[2]}`, phase: "end", output: "three", exitCode: 0 }),
    ]);
    expect(existsSync(workspace)).toBe(true);
    await withCap.close();
    await withoutCap.close();
  });
});
