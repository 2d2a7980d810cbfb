import { expect } from "vitest";
import type { AppPort } from "../../../src/core/app-port.ts";
import type { ChannelPort, Logger } from "../../../src/core/ports.ts";
import { type RecordingLogger, recordingLogger } from "../../fakes/recording-logger.ts";
import { afterThisTest } from "./teardown.ts";

/** A platform channel as its factory returns it: the port, and its lifecycle. */
export interface RunningChannel {
  channel: ChannelPort;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A platform's fake, started, and how to put the real channel in front of it: what every channel test needs. */
export interface ChannelRig<C extends RunningChannel> {
  /** The prefix of the channel's log lines (`telegram:`, `discord:`). */
  logPrefix: string;
  /** What must never appear in a log line (the bot token). */
  secrets: readonly string[];
  /** The real channel, talking to the fake, in front of `app`. */
  connect(app: AppPort, logger: Logger): C;
  /** Stops the fake, then checks that it saw nothing it does not implement (after the channel stopped). */
  close(): Promise<void>;
}

/** Fails when a secret of the rig shows up in what was logged. */
export function expectNoSecrets(logger: RecordingLogger, secrets: readonly string[]): void {
  const logged = logger.text();
  for (const secret of secrets) expect(logged).not.toContain(secret);
}

/** Starts the real channel on the rig's fake in front of `app`; it and the fake stop after the test. */
export async function startChannel<C extends RunningChannel>(
  rig: ChannelRig<C>,
  app: AppPort,
): Promise<{ channel: C; logger: RecordingLogger }> {
  const logger = recordingLogger();
  const channel = rig.connect(app, logger);
  afterThisTest(async () => {
    await channel.stop();
    await rig.close();
    expectNoSecrets(logger, rig.secrets);
  });
  await channel.start();
  return { channel, logger };
}
