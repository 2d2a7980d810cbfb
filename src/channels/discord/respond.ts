import { type ButtonInteraction, type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import type { Reply } from "../../core/commands/command.ts";
import { userMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/ports.ts";
import { splitMessage } from "../../core/turns/split.ts";
import { MAX_CONTENT, payloadOf } from "./render.ts";

/** Interactions this module answers. */
export type AnswerableInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** How to answer one interaction. */
export interface AnswerOptions {
  interaction: AnswerableInteraction;
  /** The core's answer; undefined means "ignore silently". */
  work: Promise<Reply | undefined>;
  /** How long to wait for the core before deferring (Discord allows 3 s for the first answer). */
  deferAfterMs: number;
  /** Button answers are only for the presser. */
  forceEphemeral: boolean;
  /** Posts a public answer as a plain channel message (see answerInteraction). */
  sendToChannel: (reply: Reply) => Promise<void>;
  logger: Logger;
}

type Outcome = { reply: Reply | undefined } | { error: unknown };

/**
 * Answers within Discord's 3 s: if the core answers before `deferAfterMs`, a direct reply (public
 * or ephemeral as the core says). Otherwise an ephemeral defer first; when the core answers, an
 * ephemeral answer fills it in, and a public one goes out as a channel message (which also
 * outlives the 15-minute interaction token) and the placeholder is deleted.
 */
export async function answerInteraction(options: AnswerOptions): Promise<void> {
  const { interaction, logger } = options;
  try {
    const answer = await withinDeadline(options.work, options.deferAfterMs, logger, () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    if (answer.early) await replyNow(options, answer.reply);
    else await finishDeferred(options, answer.reply);
  } catch (error) {
    logger.warn("discord: could not answer an interaction", { interactionId: interaction.id, error });
  }
}

/**
 * Answers a button on an ephemeral message (a /threads page) by replacing that message, the way
 * paging should look; deferred as an update when the core is slow.
 */
export async function answerByUpdate(options: {
  interaction: ButtonInteraction;
  work: Promise<Reply>;
  deferAfterMs: number;
  logger: Logger;
}): Promise<void> {
  const { interaction, logger } = options;
  try {
    const answer = await withinDeadline(options.work, options.deferAfterMs, logger, () => interaction.deferUpdate());
    const [first, ...rest] = parts(answer.reply ?? { text: "" });
    const payload = payloadOf(first ?? { text: "" });
    if (answer.early) await interaction.update(payload);
    else await interaction.editReply(payload);
    for (const part of rest) await interaction.followUp({ ...payloadOf(part), flags: MessageFlags.Ephemeral });
  } catch (error) {
    logger.warn("discord: could not update a message for a button", { interactionId: interaction.id, error });
  }
}

/**
 * The core's answer, and whether it came before `deferAfterMs`; if not, `defer` runs (within
 * Discord's 3 s) before waiting on. A core failure becomes a short ephemeral line.
 */
async function withinDeadline(
  work: Promise<Reply | undefined>,
  deferAfterMs: number,
  logger: Logger,
  defer: () => Promise<unknown>,
): Promise<{ early: boolean; reply: Reply | undefined }> {
  const outcome: Promise<Outcome> = work.then(
    (reply) => ({ reply }),
    (error: unknown) => ({ error }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deferAfterMs);
  });
  const early = await Promise.race([outcome, deadline]);
  clearTimeout(timer);
  if (early) return { early: true, reply: toReply(early, logger) };
  await defer();
  return { early: false, reply: toReply(await outcome, logger) };
}

function toReply(outcome: Outcome, logger: Logger): Reply | undefined {
  if ("reply" in outcome) return outcome.reply;
  logger.error("discord: the core failed on an interaction", { error: outcome.error });
  return { text: userMessage(outcome.error), ephemeral: true };
}

async function replyNow(options: AnswerOptions, answer: Reply | undefined): Promise<void> {
  const { interaction } = options;
  if (!answer) {
    // Discord shows "The application did not respond" unless answered; an ephemeral
    // placeholder removed at once is the nearest thing to ignoring.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.deleteReply();
    return;
  }
  const ephemeral = options.forceEphemeral || answer.ephemeral === true;
  const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
  const [first, ...rest] = parts(answer);
  await interaction.reply({ ...payloadOf(first ?? answer), ...(flags ? { flags } : {}) });
  for (const part of rest) await interaction.followUp({ ...payloadOf(part), ...(flags ? { flags } : {}) });
}

async function finishDeferred(options: AnswerOptions, answer: Reply | undefined): Promise<void> {
  const { interaction, logger } = options;
  if (!answer) {
    await interaction.deleteReply();
    return;
  }
  if (!options.forceEphemeral && answer.ephemeral !== true) {
    try {
      await options.sendToChannel(answer);
      await interaction.deleteReply().catch(() => undefined);
      return;
    } catch (error) {
      // No right to post in the channel (interactions need none): show it to the sender at least.
      logger.warn("discord: could not post a command's answer in the channel", { error });
    }
  }
  const [first, ...rest] = parts(answer);
  await interaction.editReply(payloadOf(first ?? answer));
  for (const part of rest) await interaction.followUp({ ...payloadOf(part), flags: MessageFlags.Ephemeral });
}

/** A reply split at Discord's limit, buttons on the last part. */
function parts(answer: Reply): Reply[] {
  if (answer.text.length <= MAX_CONTENT) return [answer];
  const texts = splitMessage(answer.text, MAX_CONTENT);
  return texts.map((text, index) => ({ ...answer, text, buttons: index === texts.length - 1 ? answer.buttons : [] }));
}
