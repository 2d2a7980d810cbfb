import { senderId } from "../keys/sender-id.ts";

/** Who may use the bot and who may list every thread (ALLOWED_USERS / ADMIN_USERS). */
export class Access {
  readonly #allowed: ReadonlySet<string>;
  readonly #admins: ReadonlySet<string>;

  constructor(options: { allowed: readonly string[]; admins: readonly string[] }) {
    this.#admins = new Set(options.admins);
    this.#allowed = new Set([...options.allowed, ...options.admins]);
  }

  /** The person at the terminal runs the bot, so the console is always allowed. */
  isAllowed(id: string): boolean {
    return isConsole(id) || this.#allowed.has(id);
  }

  /** Configured admins (and the console) may list every thread. */
  isAdmin(id: string): boolean {
    return isConsole(id) || this.#admins.has(id);
  }
}

function isConsole(id: string): boolean {
  return senderId.decode(id)?.platform === "console";
}
