import { describe, expect, it } from "vitest";
import { isBotError } from "../../../src/core/errors.ts";
import { senderId } from "../../../src/core/keys/sender-id.ts";

describe("sender id codec (pinned)", () => {
  it.each([
    [{ platform: "telegram", userId: "123" }, "telegram:123"],
    [{ platform: "discord", userId: "456789012345678901" }, "discord:456789012345678901"],
    [{ platform: "console", userId: "main" }, "console:main"],
    [{ platform: "console", userId: "op.Name_2-b" }, "console:op.Name_2-b"],
  ] as const)("round-trips %j ↔ %s", (parts, id) => {
    expect(senderId.encode(parts)).toBe(id);
    expect(senderId.decode(id)).toEqual(parts);
  });

  it("keeps user ids opaque: no case folding, no number parsing", () => {
    expect(senderId.encode({ platform: "telegram", userId: "-000123" })).toBe("telegram:-000123");
    expect(senderId.decode("discord:9007199254740993")).toEqual({ platform: "discord", userId: "9007199254740993" });
    expect(senderId.decode("discord:AbC")).toEqual({ platform: "discord", userId: "AbC" });
  });

  it("refuses user ids that would break the grammar, as BAD_INPUT", () => {
    for (const [platform, userId] of [
      ["telegram", "1:2"],
      ["telegram", ""],
      ["discord", "a b"],
      ["discord", "x".repeat(65)],
      ["console", "a/b"],
    ] as const) {
      expect(() => senderId.encode({ platform, userId }), `${platform}:${userId}`).toThrow(
        expect.toSatisfy(isBotError),
      );
    }
  });

  it("decodes only sender ids", () => {
    for (const id of ["slack:1", "telegram:", "telegram:1:topic:2", "discord:dm:1", "console:a b", "telegram"]) {
      expect(senderId.decode(id), id).toBeUndefined();
    }
  });
});
