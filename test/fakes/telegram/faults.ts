/** An error to answer instead of running a call; `method` limits it to one method (else any but getUpdates). */
export interface Fault {
  method?: string | undefined;
  code: number;
  description: string;
  parameters?: Record<string, unknown> | undefined;
}

/** The errors the fake is told to answer: queued ones (one use each) and "every nth call". */
export class FaultPlan {
  /** Errors to answer next, first match wins (one use each). */
  readonly queued: Fault[] = [];
  #every: { n: number; count: number; fault: Fault; methods: readonly string[] | undefined } | undefined;

  /** From now on every `n`th call (getUpdates excluded unless listed) fails with 429 retry_after. */
  failEvery(n: number, options: { retryAfter?: number; methods?: readonly string[] } = {}): void {
    const retryAfter = options.retryAfter ?? 0;
    const fault = {
      code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    };
    this.#every = { n, count: 0, fault, methods: options.methods };
  }

  /** Forgets every planned error. */
  clear(): void {
    this.#every = undefined;
    this.queued.length = 0;
  }

  /** The error to answer this call of `method` with, if any. */
  take(method: string): Fault | undefined {
    const index = this.queued.findIndex(
      (f) => f.method === method || (f.method === undefined && method !== "getUpdates"),
    );
    if (index >= 0) return this.queued.splice(index, 1)[0];
    const every = this.#every;
    const counted = every?.methods ? every.methods.includes(method) : method !== "getUpdates";
    if (!every || !counted) return undefined;
    every.count += 1;
    return every.count % every.n === 0 ? every.fault : undefined;
  }
}
