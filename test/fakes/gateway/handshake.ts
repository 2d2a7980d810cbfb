import { FakeRpcError, invalid, paramsOf } from "./protocol.ts";

/** The connect → hello-ok part of the fake, checked like the 2026.9.6 gateway checks it. */

const CLIENT_IDS = new Set([
  "webchat-ui",
  "openclaw-control-ui",
  "openclaw-browser-copilot",
  "openclaw-tui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-linux",
  "openclaw-ios",
  "openclaw-watchos",
  "openclaw-android",
  "node-host",
  "openclaw-worker",
  "test",
  "fingerprint",
  "openclaw-probe",
]);
const CLIENT_MODES = new Set(["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"]);

/** Methods hello-ok advertises. */
export const FAKE_METHODS = [
  "sessions.create",
  "sessions.patch",
  "sessions.list",
  "sessions.recover",
  "sessions.subscribe",
  "sessions.unsubscribe",
  "chat.send",
  "chat.history",
  "chat.abort",
];

/** Events hello-ok advertises. */
export const FAKE_EVENTS = ["connect.challenge", "tick", "shutdown", "chat", "agent", "sessions.changed"];

/** What an accepted connect grants. */
export interface Admission {
  caps: Set<string>;
  scopes: string[];
  role: string;
}

/** A refused connect: the error to answer with and the close code that follows. */
export interface Refusal {
  error: FakeRpcError;
  closeCode: number;
  closeReason: string;
}

/** Checks connect params; a refusal closes the socket after the error response. */
export function admit(raw: unknown, token: string): Admission | Refusal {
  const params = paramsOf(raw);
  const min = params.minProtocol;
  const max = params.maxProtocol;
  if (typeof min !== "number" || typeof max !== "number" || min > 4 || max < 4) {
    const error = invalid("protocol mismatch", { expectedProtocol: 4 });
    return { error, closeCode: 1002, closeReason: "protocol mismatch" };
  }
  const client = paramsOf(params.client);
  if (!CLIENT_IDS.has(String(client.id)) || !CLIENT_MODES.has(String(client.mode))) {
    return { error: invalid("invalid connect params: client"), closeCode: 1008, closeReason: "invalid connect params" };
  }
  const auth = paramsOf(params.auth);
  if (auth.token !== token) {
    const error = new FakeRpcError("INVALID_REQUEST", "unauthorized: gateway token mismatch", {
      details: { code: "AUTH_TOKEN_MISMATCH" },
    });
    return { error, closeCode: 1008, closeReason: "unauthorized" };
  }
  const requested = Array.isArray(params.scopes) ? params.scopes.filter((s) => typeof s === "string") : [];
  // Without a device identity only the local backend (and local cli) identity keeps its scopes.
  const keeps = (client.id === "gateway-client" && client.mode === "backend") || client.id === "cli";
  const caps = new Set(Array.isArray(params.caps) ? params.caps.filter((c) => typeof c === "string") : []);
  return { caps, scopes: keeps ? requested : [], role: typeof params.role === "string" ? params.role : "operator" };
}

/** The refusal during the startup window (the real gateway then closes with 1013). */
export function startingUp(): Refusal {
  const error = new FakeRpcError("UNAVAILABLE", "gateway starting; retry shortly", {
    retryable: true,
    retryAfterMs: 500,
    details: { reason: "startup-sidecars" },
  });
  return { error, closeCode: 1013, closeReason: "gateway starting" };
}

/** The hello-ok payload. */
export function helloOk(input: {
  bootId: string;
  connId: string;
  tickIntervalMs: number;
  uptimeMs: number;
  admission: Admission;
}): Record<string, unknown> {
  return {
    type: "hello-ok",
    protocol: 4,
    server: { version: "2026.9.6", bootId: input.bootId, connId: input.connId },
    features: { methods: FAKE_METHODS, events: FAKE_EVENTS, capabilities: ["chat-send-routing-contract"] },
    snapshot: {
      presence: [],
      health: {},
      stateVersion: { presence: 1, health: 1 },
      uptimeMs: input.uptimeMs,
      sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main" },
      authMode: "token",
    },
    auth: { method: "token", role: input.admission.role, scopes: input.admission.scopes },
    policy: { maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: input.tickIntervalMs },
  };
}
