/** What a benchmark section hands back, the results.json layout, and the printed table. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** The sections, in the order a full run executes them. */
export const SECTIONS = [
  "relay",
  "throughput",
  "store",
  "fanout",
  "idle",
  "approvals",
  "attachments",
  "postgres",
] as const;
/** One of SECTIONS. */
export type SectionName = (typeof SECTIONS)[number];

/** Exactly the keys issue 7 names, per section; results.json holds these and nothing else. */
export const RESULT_KEYS = {
  relay: ["addedMsP50", "addedMsP99", "ratioVsDirect"],
  approvals: ["addedMsP50", "botMsP50", "directMsP50"],
  throughput: ["messagesPerSecond"],
  store: [
    "threads",
    "loadMs",
    "resolveP99Ms",
    "journalWriteP50Ms",
    "bindP50Ms",
    "burst1000Ms",
    "naiveRatio",
    "fileBytes",
    "rssMb",
  ],
  fanout: ["seconds", "ceilingSeconds", "throughputRatio", "lost", "duplicated"],
  idle: ["rssMb"],
  attachments: ["relayMsP50", "directMsP50", "ratioVsDirect", "peakRssGrowthMb"],
  postgres: [
    "turnWriteP50Ms",
    "turnWriteP99Ms",
    "jsonTurnWriteP50Ms",
    "messagesPerSecond",
    "throughputRatio",
    "loadMs1k",
    "loadMs100k",
    "rssMb100k",
    "loadMs1M",
    "resolveP99Ms1M",
    "rssMb1M",
    "failoverP50Ms",
    "failoverP99Ms",
  ],
} as const satisfies Record<SectionName, readonly string[]>;

/** One figure of a section: results.json value (or null) keyed as in RESULT_KEYS. */
export type Figures = Record<string, number | null>;

/** One printed line: what was measured, ours against the baseline, and the target. */
export interface Row {
  figure: string;
  ours: string;
  baseline?: string | undefined;
  ratio?: string | undefined;
  target?: string | undefined;
  /** true = target met, false = missed, undefined = no target (informative line). */
  met?: boolean | undefined;
}

/** What a section returns to the runner. */
export interface SectionResult {
  figures: Figures;
  rows: Row[];
  /** Free lines printed under the table (skips, caveats, causes). */
  notes: string[];
}

/** Options every section gets from the command line. */
export interface SectionOptions {
  /** `--no-install`: never install OpenClaw; skip the real-gateway part if it is missing. */
  noInstall: boolean;
}

/** Formats a number with `digits` decimals, or "n/a". */
export function fmt(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** Prints one section's table. */
export function printSection(name: string, result: SectionResult, seconds: number): void {
  const header: Row = { figure: "figure", ours: "ours", baseline: "baseline", ratio: "ratio", target: "target" };
  const lines = [header, ...result.rows];
  const cells = lines.map((r, i) => [
    r.figure,
    r.ours,
    r.baseline ?? "",
    r.ratio ?? "",
    r.target ?? "",
    i === 0 ? "ok?" : r.met === undefined ? "" : r.met ? "MET" : "MISSED",
  ]);
  const widths = cells[0]?.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length))) ?? [];
  const out = [`\n== ${name} (${seconds.toFixed(1)} s) ==`];
  for (const [i, row] of cells.entries()) {
    out.push(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "));
    if (i === 0) out.push(widths.map((w) => "-".repeat(w)).join("  "));
  }
  for (const note of result.notes) out.push(`  · ${note}`);
  console.log(out.join("\n"));
}

/** Results with every key present (null when not measured). */
export type Results = { [S in SectionName]: Record<(typeof RESULT_KEYS)[S][number], number | null> };

/** Reads results.json (if any), keeps only the known keys, fills the rest with null. */
export function readResults(path: string): Results {
  let old: Record<string, Record<string, unknown>> = {};
  if (existsSync(path)) {
    try {
      old = JSON.parse(readFileSync(path, "utf8")) as typeof old;
    } catch {
      old = {};
    }
  }
  const results = {} as Record<string, Record<string, number | null>>;
  for (const section of SECTIONS) {
    const values: Record<string, number | null> = {};
    for (const key of RESULT_KEYS[section]) {
      const value = old[section]?.[key];
      values[key] = typeof value === "number" ? value : null;
    }
    results[section] = values;
  }
  return results as Results;
}

/** Replaces one section's figures (known keys only) in `results`. */
export function mergeSection(results: Results, section: SectionName, figures: Figures): void {
  const target = results[section] as Record<string, number | null>;
  for (const key of RESULT_KEYS[section]) target[key] = figures[key] ?? null;
}

/** Writes results.json. */
export function writeResults(path: string, results: Results): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
