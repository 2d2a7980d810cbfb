/**
 * The baseline of the attachments section, in a process of its own (forked by bench/attachments.ts with
 * npm start's Node flags), so that like the bot it shares no event loop with the fakes. Asked over IPC to
 * relay a file, it does what any client must: getFile on the Bot API, GET /file/bot<token>/<path> into
 * memory, base64, and one chat.send carrying it with the e2e RawClient. It answers with its own phase times
 * once the gateway acknowledged the send and the run ended.
 */
import { randomUUID } from "node:crypto";
import { RawClient } from "../../test/e2e/harness/raw-client.ts";
import { isChatEnd } from "../../test/e2e/harness/turns.ts";

/** Parent → child: connect once. */
export interface BareSetup {
  type: "setup";
  gatewayUrl: string;
  gatewayToken: string;
  apiRoot: string;
  botToken: string;
  sessionKey: string;
}

/** Parent → child: relay one file Telegram keeps. */
export interface BareRelay {
  type: "relay";
  fileId: string;
  fileName: string;
  mimeType: string;
  message: string;
}

/** Child → parent: the phases of one relay (ms, in the child's clock), after the run ended. */
export interface BareRelayed {
  type: "relayed";
  idempotencyKey: string;
  getFileMs: number;
  downloadMs: number;
  encodeMs: number;
  sendMs: number;
}

let client: RawClient | undefined;
let sessionKey = "";
let telegram = { apiRoot: "", token: "" };

async function relay(ask: BareRelay): Promise<BareRelayed> {
  if (!client) throw new Error("bare client: not set up");
  const started = performance.now();
  const got = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getFile`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ file_id: ask.fileId }),
  });
  const { result } = (await got.json()) as { result: { file_path: string } };
  const pathAt = performance.now();
  const response = await fetch(`${telegram.apiRoot}/file/bot${telegram.token}/${result.file_path}`);
  if (!response.ok) throw new Error(`bare client: download answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const downloadedAt = performance.now();
  const content = bytes.toString("base64");
  const encodedAt = performance.now();
  const idempotencyKey = randomUUID();
  const since = client.mark();
  const ended = client.waitForEvent(isChatEnd(idempotencyKey), 30_000, since);
  const attachments = [{ type: "file", mimeType: ask.mimeType, fileName: ask.fileName, content }];
  await client.request("chat.send", { sessionKey, message: ask.message, idempotencyKey, deliver: false, attachments });
  const ackedAt = performance.now();
  await ended;
  return {
    type: "relayed",
    idempotencyKey,
    getFileMs: pathAt - started,
    downloadMs: downloadedAt - pathAt,
    encodeMs: encodedAt - downloadedAt,
    sendMs: ackedAt - encodedAt,
  };
}

process.on("message", (message: BareSetup | BareRelay) => {
  const done = (answer: unknown) => process.send?.(answer);
  const failed = (error: unknown) => done({ type: "error", error: String((error as Error)?.stack ?? error) });
  if (message.type === "setup") {
    telegram = { apiRoot: message.apiRoot, token: message.botToken };
    sessionKey = message.sessionKey;
    RawClient.connect({ url: message.gatewayUrl, token: message.gatewayToken })
      .then(async (connected) => {
        client = connected;
        await connected.request("sessions.create", { key: sessionKey, label: sessionKey });
        done({ type: "ready" });
      })
      .catch(failed);
  } else if (message.type === "relay") {
    relay(message).then(done, failed);
  }
});
process.on("disconnect", () => {
  void client?.close().finally(() => process.exit(0));
  if (!client) process.exit(0);
});
