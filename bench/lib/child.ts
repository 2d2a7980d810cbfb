/**
 * Runs one benchmark section in its own process (forked by bench/run.ts) and sends its result back
 * over IPC: `node bench/lib/child.ts <section> [--no-install]`.
 */
import type { SectionOptions, SectionResult } from "./report.ts";

const [name, ...flags] = process.argv.slice(2);
const options: SectionOptions = { noInstall: flags.includes("--no-install") };

/** Sends a message to the parent and waits until it is handed over. */
function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      // Run by hand: print what the runner would have received.
      console.log(JSON.stringify(message, null, 2));
      return resolve();
    }
    process.send(message, () => resolve());
  });
}

try {
  const section = (await import(`../${name}.ts`)) as { run(options: SectionOptions): Promise<SectionResult> };
  const result = await section.run(options);
  await send({ ok: true, result });
  process.exit(0);
} catch (error) {
  await send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
