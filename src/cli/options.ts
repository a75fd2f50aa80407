import { isIP } from "node:net";
import { UsageError } from "../util/errors.js";

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`--port ${text}: expected a TCP port from 1 to 65535`);
  return port;
}

export function parseThreads(text: string): number {
  const threads = Number(text);
  if (!/^\d+$/.test(text) || threads < 1 || threads > 4) throw new UsageError(`--threads ${text}: expected 1 to 4`);
  return threads;
}

export function parseAddress(text: string): string {
  if (isIP(text) === 0) throw new UsageError(`--server ${text}: expected an IPv4 or IPv6 address`);
  return text;
}

/** --server of a command that handles IPv4 only (replay skips IPv6 SYNs: an IPv6 filter would silently keep all). */
export function parseIpv4Address(text: string): string {
  if (isIP(text) !== 4) throw new UsageError(`--server ${text}: expected an IPv4 address (replay models IPv4 SYNs only)`);
  return text;
}
