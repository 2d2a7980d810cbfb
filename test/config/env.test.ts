import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, loadConfig } from "../../src/config/env.ts";
import { isBotError } from "../../src/core/errors.ts";

describe("configuration", () => {
  it(".env.example lists exactly the schema's keys", () => {
    const text = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const keys = [...text.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it("applies defaults and treats empty values as missing", () => {
    const config = loadConfig({
      OPENCLAW_AGENT_ID: "",
      TELEGRAM_BOT_TOKEN: "  ",
      ALLOWED_USERS: "telegram:1, discord:2",
    });
    expect(config.OPENCLAW_GATEWAY_URL).toBe("ws://127.0.0.1:18789");
    expect(config.OPENCLAW_AGENT_ID).toBe("main");
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.ALLOWED_USERS).toEqual(["telegram:1", "discord:2"]);
    expect(config.STORE_PATH).toBe("data/threads.json");
  });

  it("names every bad key in one error and never echoes values", () => {
    try {
      loadConfig({
        OPENCLAW_GATEWAY_URL: "ws://example.invalid:1/",
        RESUME_POLICY: "sometimes",
        ADMIN_USERS: "bob",
        OPENCLAW_AGENT_ID: "Bad Agent",
      });
      throw new Error("accepted");
    } catch (error) {
      expect(isBotError(error)).toBe(true);
      const message = (error as Error).message;
      for (const key of ["OPENCLAW_GATEWAY_URL", "RESUME_POLICY", "ADMIN_USERS", "OPENCLAW_AGENT_ID"])
        expect(message).toContain(key);
      expect(message).not.toContain("example.invalid");
    }
  });

  it("allows ws:// only to loopback", () => {
    expect(loadConfig({ OPENCLAW_GATEWAY_URL: "ws://127.0.0.2:9000" }).OPENCLAW_GATEWAY_URL).toBe(
      "ws://127.0.0.2:9000",
    );
    expect(loadConfig({ OPENCLAW_GATEWAY_URL: "wss://gw.example:443" }).OPENCLAW_GATEWAY_URL).toBe(
      "wss://gw.example:443",
    );
    expect(() => loadConfig({ OPENCLAW_GATEWAY_URL: "ws://10.0.0.1:18789" })).toThrow(/loopback/);
  });

  it("takes a postgres:// STORE_URL with a database, and names a bad one without echoing it", () => {
    const url = "postgres://tk:secret-password@127.0.0.1:5432/threadkeeper";
    expect(loadConfig({ STORE_URL: url }).STORE_URL).toBe(url);
    expect(loadConfig({}).STORE_URL).toBeUndefined();
    for (const bad of ["not a url", "mysql://tk:secret-password@db/x", "postgres://tk:secret-password@db:5432"]) {
      let error: Error | undefined;
      try {
        loadConfig({ STORE_URL: bad });
      } catch (caught) {
        error = caught as Error;
      }
      expect(isBotError(error), bad).toBe(true);
      expect(error?.message).toMatch(/^Invalid configuration: STORE_URL: [^\n]+$/);
      expect(error?.message).not.toContain("secret-password");
    }
  });

  it("reports an unparsable gateway URL as a configuration error, not a crash", () => {
    expect(() => loadConfig({ OPENCLAW_GATEWAY_URL: "nonsense" })).toThrow(/OPENCLAW_GATEWAY_URL: Invalid URL/);
  });

  it("switches Telegram to webhooks only with a secret, and parses the listen address", () => {
    const base = { TELEGRAM_BOT_TOKEN: "1:x", TELEGRAM_WEBHOOK_URL: "https://bot.example/tg/hook" };
    const config = loadConfig({ ...base, TELEGRAM_WEBHOOK_SECRET: "s3cret_-X", TELEGRAM_WEBHOOK_LISTEN: "[::1]:9000" });
    expect(config.TELEGRAM_WEBHOOK_URL).toBe("https://bot.example/tg/hook");
    expect(config.TELEGRAM_WEBHOOK_LISTEN).toEqual({ host: "::1", port: 9000 });
    expect(loadConfig({}).TELEGRAM_WEBHOOK_LISTEN).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(loadConfig({}).TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(() => loadConfig(base)).toThrow(/TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL/);
    expect(() => loadConfig({ ...base, TELEGRAM_BOT_TOKEN: "", TELEGRAM_WEBHOOK_SECRET: "abc" })).toThrow(
      /TELEGRAM_WEBHOOK_URL: needs TELEGRAM_BOT_TOKEN/,
    );
  });

  it("refuses a bad webhook secret, listen address or plain-http URL in one line each, without the values", () => {
    try {
      loadConfig({
        TELEGRAM_BOT_TOKEN: "1:x",
        TELEGRAM_WEBHOOK_URL: "http://bot.example/hook",
        TELEGRAM_WEBHOOK_SECRET: "has spaces!",
        TELEGRAM_WEBHOOK_LISTEN: "localhost",
      });
      throw new Error("accepted");
    } catch (error) {
      expect(isBotError(error)).toBe(true);
      const lines = (error as Error).message.split("\n").slice(1);
      expect(lines).toEqual([
        expect.stringMatching(/^ {2}TELEGRAM_WEBHOOK_URL: http:\/\/ is only allowed to a loopback host/),
        expect.stringMatching(/^ {2}TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters/),
        expect.stringMatching(/^ {2}TELEGRAM_WEBHOOK_LISTEN: host:port/),
      ]);
      expect((error as Error).message).not.toContain("has spaces");
    }
    expect(
      loadConfig({
        TELEGRAM_BOT_TOKEN: "1:x",
        TELEGRAM_WEBHOOK_URL: "http://127.0.0.1:8443/h",
        TELEGRAM_WEBHOOK_SECRET: "a".repeat(256),
      }).TELEGRAM_WEBHOOK_SECRET,
    ).toHaveLength(256);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: "a".repeat(257) })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});
