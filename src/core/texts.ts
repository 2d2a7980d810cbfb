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
    `The agent cannot be given ${what}, so this message was not sent. Send what you want to say as text, or as a photo or file.`,
  // Resume, Stop and Recover.
  foreignButton: "That button belongs to another conversation.",
  alreadyContinued: "That turn was already continued; nothing more to do.",
  noticeOutOfDate: "That notice is out of date; nothing was sent.",
  beingContinued: "That turn is already being continued; nothing more to do.",
  oldButton: "That button is from an old or unknown message; nothing was sent.",
  resumeWhere: "No thread is bound here; use /resume <name> or /thread <name>.",
  nothingToResume: "Nothing to resume: no turn of this thread is interrupted.",
  threadGone: "That thread no longer exists.",
  stillWorking: "The agent is still working on this thread; wait for its answer.",
  nothingToStop: "That turn has already finished; nothing to stop.",
  resuming: (name: string) => `Resuming "${name}".`,
  stopping: (name: string) => `Stopping OpenClaw's continuation of "${name}".`,
  recovering: (name: string) => `Recovering "${name}" in a new OpenClaw session.`,
  // Approvals.
  notYourApproval: "Only the person whose message started this turn, or an admin, can answer this approval.",
  alreadyDecided: (outcome: string) => `Already decided: ${outcome}`,
  decisionNotOffered: "OpenClaw does not offer that answer for this command.",
  beingDecided: "That approval is being answered right now.",
  noApproval: "No approval is waiting in this conversation.",
  decided: (outcome: string) => outcome,
  // Files from the agent.
  mediaUndelivered: (name: string, why: string | undefined) =>
    `📎 The agent sent ${name}, but OpenClaw could not deliver it (${why ?? "unknown reason"}).`,
  mediaNotHere: (name: string) => `📎 The agent sent ${name}; files cannot be shown here.`,
  mediaTooLarge: (name: string, size: string, limit: string) =>
    `📎 The agent sent ${name}${size ? ` (${size})` : ""}, which is over the ${limit} this chat can show.`,
  mediaUnavailable: (name: string) => `📎 The agent sent ${name}, but it could not be fetched from the gateway.`,
  platformLimit: (platform: string) => `the most ${platform} lets a bot download`,
  agentLimit: (kind: string) => `the most the agent takes for ${kind === "image" ? "an image" : "a file"}`,
  fileTooLarge: (name: string, size: number | undefined, limit: number, what: string) =>
    `${name}${size === undefined ? "" : ` (${megabytes(size)})`} is over ${megabytes(limit)}, ${what}; nothing of this message was sent.`,
  fileUnavailable: (name: string, platform: string) =>
    `Could not fetch ${name} from ${platform} (it may have expired or been deleted); nothing of this message was sent.`,
  fileEmpty: (name: string) => `${name} is empty; nothing of this message was sent.`,
  notAnImage: (name: string) =>
    `${name} is not a picture the agent can read (PNG, JPEG, GIF or WebP); nothing of this message was sent.`,
  /** The live progress line of a turn: current step, count, elapsed time. */
  progressLine: (step: string, calls: number, elapsedMs: number) =>
    `⚙️ ${step || "working"} · ${calls} tool call${calls === 1 ? "" : "s"} · ${duration(elapsedMs)}`,
  /** What the progress line becomes when the turn ends. */
  progressSummary: (names: readonly string[], elapsedMs: number, outcome: string) => {
    const distinct = [...new Set(names)].slice(0, 6).join(", ");
    const mark = outcome === "done" ? "✓" : "■";
    const end = outcome === "done" ? "" : ` (${outcome})`;
    return `${mark} ${names.length} tool call${names.length === 1 ? "" : "s"} (${distinct}) in ${duration(elapsedMs)}${end}`;
  },
  // Subcommands (h0-subcommands).
  /** A command written without a required argument: how to write it. */
  usage: (usage: string) => `Usage: ${usage}`,
  /** A new thread may not take a word that picks a /thread subcommand. */
  reservedName: (slug: string) => `"${slug}" is a /thread subcommand; pick another thread name.`,
  // Stop and steer (issue 13, slice h1-stop-steer).
  nothingRunning: (name: string) => `Nothing is running in "${name}".`,
  stoppedRun: (name: string) => `Stopped the running turn of "${name}".`,
  /** Ends the part of an answer a /steer cut off. */
  redirected: "(redirected)",
  steerEmpty: "Say what the agent should do instead: /steer <text>.",
  steering: (name: string) => `Steering "${name}": the running turn stops here and the answer to your words follows.`,
  steerIdle: (name: string) => `Nothing is running in "${name}"; your words were sent as an ordinary message.`,
  // Thread model and usage (issue 13, slice h3: /thread model, /thread usage, /threads sort:cost).
  modelCurrent: (thread: string, model: string | undefined) =>
    `Thread "${thread}" runs on ${model ?? "the agent's default model"}.`,
  modelChoices: (refs: readonly string[], more: number) =>
    `Models: ${refs.join(", ")}${more > 0 ? ` and ${more} more` : ""}. Set one with /thread model <name>.`,
  modelSet: (thread: string, model: string) =>
    `Thread "${thread}" now runs on ${model}. The next message uses it; the session key stays the same.`,
  modelUnchanged: (thread: string, model: string) => `Thread "${thread}" already runs on ${model}.`,
  unknownModel: (name: string) =>
    `There is no model "${name}" in the gateway's catalog; nothing changed. Type /thread model to see the choices.`,
  ambiguousModel: (name: string, refs: readonly string[]) =>
    `"${name}" names several models (${refs.join(", ")}); nothing changed. Give provider/id.`,
  noModels: "The gateway offers no models to choose from.",
  notYourPicker: "Only the person who asked for this list can choose from it.",
  pickerOutOfDate: "This list is for a thread no longer bound here; type /thread model again.",
  modelGone: "That model is no longer in the gateway's catalog; type /thread model again.",
  sessionMissing: (thread: string) =>
    `OpenClaw has no session for "${thread}" right now; type /thread ${thread} to attach it again.`,
  usageOfOthers: "You can only see the usage of the thread bound here.",
  unknownThread: (name: string) => `There is no thread "${name}".`,
  usageTotal: (thread: string, total: string) => `Thread "${thread}" has used ${total} in all.`,
  usageLastTurn: (last: string) => `Its last turn: ${last}.`,
  usageNone: (thread: string) => `Thread "${thread}" has not used any tokens yet.`,
  usageCounting: "OpenClaw is still counting this thread's usage; try again in a moment.",
  usageLine: (total: string, last: string | undefined) => `Usage: ${total} in all${last ? `; last turn ${last}` : ""}.`,
  usageLineCounting: "Usage: OpenClaw is still counting it; ask again in a moment.",
  usageUnavailable: "Usage: unavailable (the gateway did not answer in time).",
  usageAway: "Usage: unavailable (the gateway is away).",
  costsUnavailable: "Costs are unavailable right now (the gateway did not answer), so this list is by activity.",
  costsCounting: "OpenClaw is still counting some threads' costs; those show as no cost yet.",
  // Issue 13, slice h4: recaps, /threads search, /thread export.
  recapLine: (recap: string) => `Recap: ${recap}`,
  exportNoFiles: "Files cannot be sent in this conversation, so the transcript cannot be exported here.",
  exportEmpty: (name: string) => `Nothing to export: "${name}" has no messages yet.`,
  exportBadFormat: "Export formats are md (Markdown, the default) and json.",
  exportOnlyHere: "You can export only the thread bound here; admins can export any thread by name.",
  exported: (name: string, rows: number, files: readonly string[]) =>
    files.length === 1
      ? `Exported ${rows} message(s) of "${name}" as ${files[0]}.`
      : `Exported ${rows} message(s) of "${name}" in ${files.length} parts (each within this chat's file limit): ${files.join(", ")}.`,
  searchUsage: "Usage: /threads search <words>: threads whose name, label or recap contain every word.",
  searchNone: (words: string) => `No threads match "${words}".`,
  searchHeader: (words: string, shown: number, total: number) =>
    `Threads matching "${words}"${total > shown ? ` (first ${shown} of ${total})` : ""}:`,
  // Thread identity: /thread rename, fork, reset, delete, and archived threads in /threads.
  nameTaken: (name: string, owner: string) =>
    `The name "${name}" already reaches the thread "${owner}"; pick another name. Nothing changed.`,
  sameName: (name: string) => `This thread is already named "${name}"; nothing changed.`,
  renamed: (from: string, to: string, slug: string, key: string) =>
    `Renamed "${from}" to "${to}". Its slug (${slug}) and OpenClaw session key (${key}) stay as they were: the key never changes. "/thread ${from}" still reaches it.`,
  labelVariant: (name: string, label: string) =>
    `The label "${name}" is taken by another OpenClaw session, so the session is labelled "${label}".`,
  noLabel: (name: string) => `Every label for "${name}" is taken in OpenClaw, so the session has none.`,
  topicsNotRenamed: (count: number) =>
    `${count} topic(s)/thread(s) the bot opened for it could not be renamed on the platform; the thread is renamed anyway.`,
  forked: (from: string, to: string, slug: string, key: string) =>
    [
      `Forked "${from}" into "${to}" (${slug}), bound here: a new OpenClaw session (${key}) made by OpenClaw's own fork.`,
      `Carried: "${from}"'s conversation history through its last completed answer, and its model settings.`,
      `Not carried: a turn still running, its checkpoint and restart notices, and its bindings: "${from}" is untouched and stays where it was bound.`,
    ].join("\n"),
  busyThread: (name: string, what: string) =>
    `The agent is working on "${name}" (or a message waits for it); wait for the answer or /stop the turn, then ${what} again. Nothing changed.`,
  confirmReset: (name: string, minutes: number) =>
    `Reset "${name}"? Its conversation history is cleared for good (OpenClaw starts a new transcript); the name, the session key and where it is bound stay. Only you can answer, within ${minutes} minutes (the buttons, or /thread reset yes).`,
  confirmDelete: (name: string, minutes: number) =>
    `Delete "${name}"? Its OpenClaw session goes (OpenClaw archives the transcript), every binding goes, and the name is free again. Only you can answer, within ${minutes} minutes (the buttons, or /thread delete yes).`,
  confirmResetButton: "Reset",
  confirmDeleteButton: "Delete",
  cancelButton: "Cancel",
  notYourQuestion: "Only the person who asked can answer this.",
  boundElsewhere: (name: string) =>
    `"${name}" is also bound outside this chat or server, so only the bot's admins (ADMIN_USERS) can delete it. Nothing changed.`,
  answerIsYes: (kind: string, button: string) =>
    `Type /thread ${kind} to be asked, then press ${button} or type /thread ${kind} yes.`,
  noQuestion: (kind: string) => `No /thread ${kind} question of yours is open here; type /thread ${kind} first.`,
  questionExpired: "That question has expired; nothing changed. Ask again if you still want it.",
  questionAnswered: "That question was already answered; nothing more to do.",
  questionInterrupted:
    "That was under way when the bot stopped; nothing was sent again. Check the thread with /thread.",
  questionCancelled: "Cancelled; nothing changed.",
  threadChanged: "That thread changed since the question was asked; nothing was done.",
  resetDone: (name: string) => `"${name}" was reset: a new, empty history under the same name and key.`,
  deleteDone: (name: string) => `"${name}" was deleted: its session and bindings are gone, and the name is free again.`,
  noActiveThreads: "No active threads.",
  archivedHeader: (count: number) => `Archived by OpenClaw (${count}); /thread <name> restores one:`,
} as const;

/** "6 MB", "18.6 MB", "512 KB". */
export function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}
