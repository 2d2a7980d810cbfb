import { get as httpGetPlain, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";

/**
 * A GET whose body is read only as fast as it is consumed: node:http pauses the socket when its
 * buffer is full, where fetch's body stream keeps reading ahead (most of a 20 MB file in memory).
 */
export function httpGet(url: string, timeoutMs: number): Promise<IncomingMessage> {
  const get = url.startsWith("https:") ? httpsGet : httpGetPlain;
  return new Promise((resolve, reject) => {
    const request = get(url, { timeout: timeoutMs }, resolve);
    request.once("timeout", () =>
      request.destroy(Object.assign(new Error("download timed out"), { name: "TimeoutError" })),
    );
    request.once("error", reject);
  });
}
