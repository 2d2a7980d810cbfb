/**
 * `npm run bench [-- <section>…] [--no-install]`: runs the sections (lib/report.ts SECTIONS; all by
 * default), each in its own Node process, prints a table per section and a summary, and
 * writes bench/results.json (only the sections that ran are replaced). See bench/README.md.
 */
import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFlags } from "../scripts/start-flags.ts";
import {
  mergeSection,
  printSection,
  RESULT_KEYS,
  readResults,
  SECTIONS,
  type SectionName,
  type SectionResult,
  writeResults,
} from "./lib/report.ts";

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, "results.json");
/**
 * A section that has not finished by then is stopped and reported as failed. The longest is postgres:
 * it seeds a million threads (1–1.5 min) besides its failover trials.
 */
const SECTION_TIMEOUT_MS = 10 * 60_000;

const args = process.argv.slice(2);
const noInstall = args.includes("--no-install");
const unknownFlags = args.filter((a) => a.startsWith("--") && a !== "--no-install");
const asked = args.filter((a) => !a.startsWith("--"));
const wrong = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
if (wrong.length > 0 || unknownFlags.length > 0) {
  console.error(`unknown section or flag: ${[...wrong, ...unknownFlags].join(", ")}`);
  console.error(`usage: npm run bench [-- ${SECTIONS.join("|")} …] [--no-install]`);
  process.exit(2);
}
const sections = (asked.length > 0 ? SECTIONS.filter((s) => asked.includes(s)) : [...SECTIONS]) as SectionName[];

type Outcome = { ok: true; result: SectionResult } | { ok: false; error: string };

/** Forks bench/lib/child.ts for one section; resolves with what it sent (or why it failed). */
function runSection(name: SectionName): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = fork(join(here, "lib", "child.ts"), [name, ...(noInstall ? ["--no-install"] : [])], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // The bot runs in-process in several sections: give it the V8 flags npm start gives it.
      execArgv: startFlags(),
    });
    let outcome: Outcome | undefined;
    const timer = setTimeout(() => {
      outcome ??= { ok: false, error: `timed out after ${SECTION_TIMEOUT_MS / 1000} s` };
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
    }, SECTION_TIMEOUT_MS);
    child.on("message", (message) => {
      outcome ??= message as Outcome;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(outcome ?? { ok: false, error: `exited (code ${code}, signal ${signal}) without a result` });
    });
  });
}

const started = performance.now();
const results = readResults(resultsPath);
const finished: { name: SectionName; result: SectionResult; seconds: number }[] = [];
let failed = false;
for (const name of sections) {
  console.log(`\n>> ${name}`);
  const sectionStarted = performance.now();
  const outcome = await runSection(name);
  const seconds = (performance.now() - sectionStarted) / 1000;
  const result: SectionResult = outcome.ok
    ? outcome.result
    : { figures: {}, rows: [], notes: [`FAILED: ${outcome.error}`] };
  if (!outcome.ok) failed = true;
  mergeSection(results, name, result.figures);
  finished.push({ name, result, seconds });
  printSection(name, result, seconds);
  writeResults(resultsPath, results);
}

console.log(`\n== summary (${((performance.now() - started) / 1000).toFixed(1)} s) ==`);
for (const { name, result } of finished) {
  const missed = result.rows.filter((r) => r.met === false).map((r) => r.figure.replace(/ \(.*$/, ""));
  const met = result.rows.filter((r) => r.met === true).length;
  const keys = RESULT_KEYS[name].map(
    (k) => `${k}=${results[name][k as keyof (typeof results)[typeof name]] ?? "null"}`,
  );
  console.log(
    `${name.padEnd(10)} ${met} met, ${missed.length} missed${missed.length ? ` (${missed.join(", ")})` : ""}`,
  );
  console.log(`           ${keys.join("  ")}`);
}
console.log(`\nwrote ${resultsPath}`);
process.exit(failed ? 1 : 0);
