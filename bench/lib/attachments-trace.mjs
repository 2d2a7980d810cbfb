/**
 * Diagnosis for the attachments section (plain JavaScript, so that loading it does not start Node's
 * TypeScript stripper in the bot): `node --import ./bench/lib/attachments-trace.mjs dist/src/main.js`.
 * Stamps, inside the bot and without changing it, where a file's turn spends its time: the download's fetch
 * (called, answered), the blob file (opened, first and last write, fsync, rename), every fdatasync, the blob
 * read back (opened, ended) and the big frame handed to ws (called, flushed to the socket), each with
 * process.memoryUsage() at that moment; and samples memoryUsage() every 2 ms, keeping the sample with the
 * largest RSS. On SIGUSR2 it writes what it has to $TK_TRACE_FILE (JSON) and starts over.
 * Times are epoch milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { constants, PerformanceObserver } from "node:perf_hooks";

const out = process.env.TK_TRACE_FILE;
const now = () => performance.timeOrigin + performance.now();
const mb = (n) => Math.round((n / 1e6) * 10) / 10;
const usage = () => {
  const m = process.memoryUsage();
  return {
    rss: mb(m.rss),
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
  };
};

let events = [];
let peak = { at: 0, ...usage() };
const stamp = (what, extra = {}) => events.push({ what, at: now(), ...extra, memory: usage() });

setInterval(() => {
  const m = usage();
  if (m.rss > peak.rss) peak = { at: now(), ...m };
}, 2).unref();

// Garbage collections: kind, start and duration.
let gcs = [];
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcs.push({
      kind: KINDS[entry.detail?.kind] ?? "other",
      at: performance.timeOrigin + entry.startTime,
      ms: entry.duration,
    });
  }
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  if (out) fs.writeFileSync(out, JSON.stringify({ events, peak, gcs }));
  events = [];
  gcs = [];
  peak = { at: 0, ...usage() };
});

const isBlob = (path) => /\/attachments\/[0-9a-f-]{36}(\.part)?$/.test(String(path));

// The blob file: opened, written, synced, renamed into place.
const open = fsp.open;
fsp.open = async (path, ...rest) => {
  const handle = await open(path, ...rest);
  if (isBlob(path)) {
    stamp("blob opened");
    let writes = 0;
    const write = handle.write.bind(handle);
    handle.write = async (...args) => {
      if (writes++ === 0) stamp("blob first write");
      const result = await write(...args);
      return result;
    };
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      stamp("blob last write done, fsync", { writes });
      await sync();
      stamp("blob fsync'ed");
    };
  }
  return handle;
};
const rename = fsp.rename;
fsp.rename = async (from, to) => {
  const result = await rename(from, to);
  if (isBlob(to)) stamp("blob renamed");
  return result;
};
// Every fdatasync (the store's journal writes).
const probe = await open("/dev/null", "r");
const FileHandle = Object.getPrototypeOf(probe);
await probe.close();
const datasync = FileHandle.datasync;
FileHandle.datasync = async function (...args) {
  const started = now();
  const result = await datasync.apply(this, args);
  stamp("fdatasync", { ms: now() - started });
  return result;
};
const fdatasync = fs.fdatasync;
fs.fdatasync = (fd, callback) => {
  const started = now();
  return fdatasync(fd, (error) => {
    stamp("fdatasync", { ms: now() - started });
    callback(error);
  });
};
// The blob read back for chat.send.
const createReadStream = fs.createReadStream;
fs.createReadStream = (path, ...rest) => {
  const stream = createReadStream(path, ...rest);
  if (isBlob(path)) {
    stamp("blob read opened");
    stream.once("end", () => stamp("blob read ended"));
  }
  return stream;
};
syncBuiltinESMExports();

// The download.
const fetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const download = url.includes("/file/bot");
  if (download) stamp("download fetch called");
  const response = await fetch(input, init);
  if (download) stamp("download answered");
  return response;
};

// The frame: handed to ws, and flushed to the socket.
const require = createRequire(`${process.cwd()}/package.json`);
const WebSocket = require("ws");
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data, options, callback) {
  const size = typeof data === "string" ? data.length : (data?.byteLength ?? 0);
  if (size < 1_000_000) return send.call(this, data, options, callback);
  stamp("frame to ws.send", { bytes: size });
  const cb = typeof options === "function" ? options : callback;
  const opts = typeof options === "function" ? undefined : options;
  return send.call(this, data, opts, (error) => {
    stamp("frame flushed to the socket");
    cb?.(error);
  });
};
