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
});
