import { describe, expect, it } from "vitest";
import { parseTcpOptions, TcpOptions } from "../../src/wire/tcp-options.js";

function parse(bytes: number[]): TcpOptions {
  const out = new TcpOptions();
  parseTcpOptions(Uint8Array.from(bytes), 0, bytes.length, out);
  return out;
}

describe("TCP options", () => {
  it("reads a Linux SYN's options", () => {
    // tcpdump: options [mss 1460,sackOK,TS val 1204207993 ecr 0,nop,wscale 10]
    const o = parse([0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x47, 0xc6, 0xc1, 0x79, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a]);
    expect(o).toMatchObject({ mss: 1460, sackPermitted: true, hasTimestamps: true, tsVal: 1204207993, tsEcr: 0, windowScale: 10, malformed: false, hasMd5: false });
    expect(o.unknownKinds).toEqual([]);
  });

  it("keeps unknown kinds and reads on past them", () => {
    // tcpdump: options [unknown-253 0x1234,mss 1400,tfo cookiereq]
    const o = parse([0xfd, 0x04, 0x12, 0x34, 0x02, 0x04, 0x05, 0x78, 0x22, 0x02]);
    expect(o.unknownKinds).toEqual([253, 34]); // Fast Open is kept as a kind nosynack does not interpret
    expect(o.mss).toBe(1400);
    expect(o.malformed).toBe(false);
  });

  it("sees a TCP-MD5 signature (kind 19)", () => {
    // tcpdump: options [md5 shared secret not supplied with -M, can't check - 0000…]
    expect(parse([0x13, 0x12, ...new Array<number>(16).fill(0)]).hasMd5).toBe(true);
  });

  it("flags a length byte below 2, past the header, missing, or wrong for the kind", () => {
    expect(parse([0x02, 0x01, 0x05, 0xb4]).malformed).toBe(true); // length 1
    expect(parse([0x08, 0x0a, 0, 0, 0]).malformed).toBe(true); // runs past the header
    expect(parse([0x01, 0x02]).malformed).toBe(true); // kind without its length byte
    const wrong = parse([0x02, 0x03, 0x05, 0x01, 0x01, 0x01]); // MSS with length 3
    expect(wrong.malformed).toBe(true);
    expect(wrong.mss).toBe(-1);
  });

  it("stops at end-of-options and resets between packets", () => {
    const out = new TcpOptions();
    parseTcpOptions(Uint8Array.from([0x02, 0x04, 0x05, 0xb4]), 0, 4, out);
    parseTcpOptions(Uint8Array.from([0x00, 0x02, 0x04, 0x05, 0xb4]), 0, 5, out);
    expect(out.mss).toBe(-1);
  });
});
