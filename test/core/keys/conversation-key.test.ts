import { describe, expect, it } from "vitest";
import {
  consoleKey,
  decodeConversation,
  discordKey,
  encodeConversation,
  inSpace,
  nativeThreadKey,
  spaceOf,
  telegramKey,
} from "../../../src/core/keys/conversation-key.ts";

describe("conversation key codecs (pinned)", () => {
  it.each([
    [{ platform: "telegram", chatId: "123" }, "telegram:123"],
    [{ platform: "telegram", chatId: "-1001234567890", topicId: "7" }, "telegram:-1001234567890:topic:7"],
    [{ platform: "discord", guildId: "111", channelId: "222" }, "discord:111:222"],
    [{ platform: "discord", dmUserId: "456" }, "discord:dm:456"],
    [{ platform: "console", name: "main" }, "console:main"],
  ] as const)("round-trips %j ↔ %s", (conversation, key) => {
    expect(encodeConversation(conversation)).toBe(key);
    expect(decodeConversation(key)).toEqual(conversation);
  });

  it("keeps platform ids opaque: no case folding, no number parsing", () => {
    expect(telegramKey.encode("-000123")).toBe("telegram:-000123");
    expect(discordKey.encode("AbC", "9007199254740993")).toBe("discord:AbC:9007199254740993");
    expect(discordKey.decode("discord:AbC:9007199254740993")).toEqual({
      guildId: "AbC",
      channelId: "9007199254740993",
    });
  });

  it("refuses ids that would break the key grammar", () => {
    expect(() => telegramKey.encode("1:2")).toThrow();
    expect(() => discordKey.encode("dm", "1")).toThrow();
    expect(() => consoleKey.encode("a b")).toThrow();
    expect(decodeConversation("slack:1")).toBeUndefined();
  });

  it.each([
    ["telegram:-1001234567890", "budget-planning", "telegram:-1001234567890|budget-planning"],
    ["discord:111:222", "t-9f2c", "discord:111:222|t-9f2c"],
  ])("round-trips a native thread key: %s + %s ↔ %s", (container, slug, key) => {
    expect(nativeThreadKey.encode(container, slug)).toBe(key);
    expect(nativeThreadKey.decode(key)).toEqual({ container, slug });
  });

  it("refuses native thread keys that are not a conversation and a slug", () => {
    expect(() => nativeThreadKey.encode("slack:1", "a")).toThrow();
    expect(() => nativeThreadKey.encode("telegram:1", "a|b")).toThrow();
    expect(() => nativeThreadKey.encode("telegram:1", "")).toThrow();
    expect(nativeThreadKey.decode("telegram:1")).toBeUndefined();
    expect(nativeThreadKey.decode("telegram:1|a|b")).toBeUndefined();
    expect(nativeThreadKey.decode("nowhere|a")).toBeUndefined();
  });

  it("scopes conversations to their chat or server", () => {
    expect(spaceOf("telegram:-100:topic:7")).toBe("telegram:-100");
    expect(spaceOf("discord:111:222")).toBe("discord:111");
    expect(inSpace("telegram:-100:topic:7", "telegram:-100")).toBe(true);
    expect(inSpace("telegram:-1000", "telegram:-100")).toBe(false);
  });
});
