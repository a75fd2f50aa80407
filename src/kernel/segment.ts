/** Building segments: a template with every field, overridden per use (as smoltcp's SEND_TEMPL). */
import { ACK, FIN, RST, SYN, type Segment } from "./types.js";

/** All fields at neutral values: no flags, no options, TTL 64, good checksum. */
export const SEGMENT_TEMPLATE: Readonly<Segment> = Object.freeze({
  saddr: 0,
  daddr: 0,
  sport: 0,
  dport: 0,
  seq: 0,
  ack: 0,
  flags: 0,
  len: 0,
  window: 65535,
  hasTs: false,
  tsval: 0,
  tsecr: 0,
  mss: 0,
  wscale: -1,
  sackOk: false,
  ttl: 64,
  md5: false,
  csumOk: true,
});

/** A full Segment from the template and overrides (always the same property order: one object shape). */
export function segment(fields: Partial<Segment>): Segment {
  const t = SEGMENT_TEMPLATE;
  return {
    saddr: fields.saddr ?? t.saddr,
    daddr: fields.daddr ?? t.daddr,
    sport: fields.sport ?? t.sport,
    dport: fields.dport ?? t.dport,
    seq: (fields.seq ?? t.seq) >>> 0,
    ack: (fields.ack ?? t.ack) >>> 0,
    flags: fields.flags ?? t.flags,
    len: fields.len ?? t.len,
    window: fields.window ?? t.window,
    hasTs: fields.hasTs ?? (fields.tsval !== undefined ? true : t.hasTs),
    tsval: (fields.tsval ?? t.tsval) >>> 0,
    tsecr: (fields.tsecr ?? t.tsecr) >>> 0,
    mss: fields.mss ?? t.mss,
    wscale: fields.wscale ?? t.wscale,
    sackOk: fields.sackOk ?? t.sackOk,
    ttl: fields.ttl ?? t.ttl,
    md5: fields.md5 ?? t.md5,
    csumOk: fields.csumOk ?? t.csumOk,
  };
}

/** A Linux-like client SYN: MSS 1460, SACK, WS 7, a TS option when `tsval` is given (`flags` overridable). */
export function synSegment(fields: Partial<Segment>): Segment {
  return segment({ mss: 1460, sackOk: true, wscale: 7, window: 64240, flags: SYN, ...fields });
}

/** Dotted IPv4 text → unsigned 32-bit number. */
export function ipv4(text: string): number {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

/** Unsigned 32-bit IPv4 → dotted text. */
export function ipv4ToText(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** tcpdump-like flag text: "S", "S.", "R.", "F.", ".". */
export function flagText(flags: number): string {
  let t = "";
  if (flags & FIN) t += "F";
  if (flags & SYN) t += "S";
  if (flags & RST) t += "R";
  if (flags & 0x08) t += "P";
  if (flags & ACK) t += ".";
  return t || "none";
}
