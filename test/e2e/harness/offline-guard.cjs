// Preloaded into the OpenClaw gateway (NODE_OPTIONS=--require) by the e2e harness.
// OpenClaw looks up clawhub.ai after every start and no config switch stops it; here every lookup of a
// non-loopback name fails at once with ENOTFOUND, so the gateway never sends a packet off this machine.
// Loopback names and IP literals pass through unchanged.
"use strict";
const dns = require("node:dns");
const net = require("node:net");

const realLookup = dns.lookup;
const realPromisesLookup = dns.promises.lookup;

function allowed(hostname) {
  if (typeof hostname !== "string") return true;
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return net.isIP(host) !== 0 || host === "localhost" || host.endsWith(".localhost");
}

function refusal(hostname) {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by the e2e offline guard)`);
  err.code = "ENOTFOUND";
  err.errno = -3008;
  err.syscall = "getaddrinfo";
  err.hostname = hostname;
  return err;
}

dns.lookup = function guardedLookup(hostname, ...rest) {
  if (allowed(hostname)) return realLookup.call(this, hostname, ...rest);
  const cb = rest[rest.length - 1];
  process.stderr.write(`[offline-guard] blocked DNS lookup of ${hostname}\n`);
  process.nextTick(() => cb(refusal(hostname)));
  return {};
};

dns.promises.lookup = function guardedPromisesLookup(hostname, ...rest) {
  if (allowed(hostname)) return realPromisesLookup.call(this, hostname, ...rest);
  process.stderr.write(`[offline-guard] blocked DNS lookup of ${hostname}\n`);
  return Promise.reject(refusal(hostname));
};
