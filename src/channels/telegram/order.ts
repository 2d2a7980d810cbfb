/**
 * Per-conversation order for updates that run concurrently under @grammyjs/runner.
 *
 * Messages of one conversation are handled one after another, and after the commands that came
 * before them (so "/thread x" then "hello" sends "hello" to x). Commands wait only for earlier
 * commands, never for messages, and buttons wait for nothing: a command or a button is never
 * stuck behind a message. The runner's `sequentialize` cannot say "wait for the commands
 * without becoming one of them", hence these two chains.
 */
export class ConversationOrder {
  readonly #messages = new Map<string, Promise<void>>();
  readonly #commands = new Map<string, Promise<void>>();

  /** Runs a plain message's handler after earlier messages and commands of `conversation`. */
  message(conversation: string, task: () => Promise<void>): Promise<void> {
    return this.#chain(conversation, [this.#messages, this.#commands], this.#messages, task);
  }

  /** Runs a command's handler after earlier commands of `conversation`. */
  command(conversation: string, task: () => Promise<void>): Promise<void> {
    return this.#chain(conversation, [this.#commands], this.#commands, task);
  }

  #chain(
    conversation: string,
    waitFor: Map<string, Promise<void>>[],
    tailOf: Map<string, Promise<void>>,
    task: () => Promise<void>,
  ): Promise<void> {
    // Registration happens synchronously, so order of calls is order of arrival.
    const before = Promise.all(waitFor.map((chain) => chain.get(conversation)));
    const run = before.then(task);
    const tail = run.catch(() => undefined);
    tailOf.set(conversation, tail);
    void tail.then(() => {
      if (tailOf.get(conversation) === tail) tailOf.delete(conversation);
    });
    return run;
  }
}
