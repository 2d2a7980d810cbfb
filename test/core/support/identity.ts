import { expect } from "vitest";
import type { Reply } from "../../../src/core/commands/command.ts";
import { type BotUnderTest, sleep } from "./bot-harness.ts";

/** Runs `run`; asserts the store is deep-equal before and after and the gateway got no request. */
export async function changesNothing<T>(world: BotUnderTest, run: () => Promise<T>): Promise<T> {
  const before = structuredClone(world.store.state);
  const requests = world.gw.requests.length;
  const result = await run();
  await sleep(30);
  expect(world.store.state).toEqual(before);
  expect(world.gw.requests.slice(requests).map((r) => r.method)).toEqual([]);
  return result;
}

/** The reply's text, asserted to be one line. */
export function oneLine(reply: Reply | undefined): string {
  const text = reply?.text ?? "";
  expect(text).toBeTruthy();
  expect(text).not.toContain("\n");
  return text;
}
