/**
 * The words a person reads from the core, in one place (ready for translation). Commands keep the
 * replies that are theirs alone; what several parts say, and every refusal of the turn lifecycle,
 * lives here.
 */
export const texts = {
  /** A message kept while the gateway is away. */
  queued: "Queued: the OpenClaw gateway is restarting. Your message will be sent when it is back.",
  /** Said to conversations with a turn in flight when the gateway announces a graceful stop. */
  restarting: "The OpenClaw gateway is restarting; this turn's answer will follow when it is back.",
  gatewayUnreachable: "The OpenClaw gateway is not reachable right now; try again in a moment.",
  noAnswer: "The agent finished without a visible answer.",
  stopped: "(stopped)",
  interruptedSuffix: "(interrupted by a restart)",
  runFailed: (why: string | undefined) => `The agent run failed: ${why ?? "unknown error"}`,
  refusedTombstoned:
    "OpenClaw could not recover this thread's session after a restart. Press Recover on the notice, or type /resume, to continue it in a new session.",
  refusedArchived: "OpenClaw archived this thread's session. Type /thread <name> again to restore it.",
  refused: (why: string) => `The gateway refused this message: ${why}`,
  noThreadHere: "No thread is bound here. Start one with /thread <name>.",
  notAllowed: "You are not allowed to use this bot.",
  adminsOnly: (command: string) => `Only admins can use /${command}.`,
  strangerInDm: (senderId: string) =>
    `You are not on this bot's allow list. Ask its operator to add ${senderId} to ALLOWED_USERS.`,
  unknownCommand: (name: string) => `Unknown command /${name}. Try /help.`,
  tooManyArguments: (name: string, takesNone: boolean) =>
    `/${name} takes ${takesNone ? "no arguments" : "fewer arguments"}.`,
  invalidArguments: (name: string) => `Invalid arguments for /${name}.`,
  unknownButton: "That button is not one of this bot's, or it has expired.",
  nothingToShow: "Nothing to show.",
  onlyText: (what: string) =>
    `Only text reaches the agent, so this message was not sent (it has ${what}). Send what you want to say as text.`,
} as const;
