/**
 * Byte-level transformations of captures for fixtures that no tool on Linux writes: big-endian pcap and pcapng,
 * and BSD loopback (LINKTYPE_NULL) framing. Deterministic; used only by scripts/capture-fixtures.ts.
 */

function swap32(b: Buffer, o: number): void {
  b.writeUInt32BE(b.readUInt32LE(o), o);
}
function swap16(b: Buffer, o: number): void {
  b.writeUInt16BE(b.readUInt16LE(o), o);
}

/** Little-endian pcap → the same capture as a big-endian host would have written it. */
export function swapPcapByteOrder(input: Buffer): Buffer {
  const b = Buffer.from(input);
  swap32(b, 0);
  swap16(b, 4);
  swap16(b, 6);
  for (const o of [8, 12, 16, 20]) swap32(b, o);
  let o = 24;
  while (o + 16 <= b.length) {
    const captured = b.readUInt32LE(o + 8);
    for (const f of [0, 4, 8, 12]) swap32(b, o + f);
    o += 16 + captured;
  }
  return b;
}

/** Little-endian pcapng with SHB/IDB/EPB blocks → big-endian; other blocks are dropped (their layouts vary). */
export function swapPcapngByteOrder(input: Buffer): Buffer {
  const out: Buffer[] = [];
  let o = 0;
  while (o + 12 <= input.length) {
    const type = input.readUInt32LE(o);
    const length = input.readUInt32LE(o + 4);
    const block = Buffer.from(input.subarray(o, o + length));
    o += length;
    if (type !== 0x0a0d0d0a && type !== 1 && type !== 6) continue;
    swap32(block, 0);
    swap32(block, 4);
    swap32(block, length - 4);
    let options: number;
    if (type === 0x0a0d0d0a) {
      swap32(block, 8);
      swap16(block, 12);
      swap16(block, 14);
      block.writeBigInt64BE(block.readBigInt64LE(16), 16);
      options = 24;
    } else if (type === 1) {
      swap16(block, 8);
      swap16(block, 10);
      swap32(block, 12);
      options = 16;
    } else {
      for (const f of [8, 12, 16, 20, 24]) swap32(block, f);
      options = 28 + ((block.readUInt32BE(20) + 3) & ~3);
    }
    // Options: code and length swapped; values of the options nosynack reads (if_tsresol is one byte) need no swap.
    while (options + 4 <= length - 4) {
      const code = block.readUInt16LE(options);
      const optionLength = block.readUInt16LE(options + 2);
      swap16(block, options);
      swap16(block, options + 2);
      if (code === 0) break;
      options += 4 + ((optionLength + 3) & ~3);
    }
    out.push(block);
  }
  return Buffer.concat(out);
}

/** LINKTYPE_RAW pcap → LINKTYPE_NULL: each packet gets a 4-byte address family in host (little-endian) order. */
export function toBsdNull(input: Buffer): Buffer {
  const header = Buffer.from(input.subarray(0, 24));
  header.writeUInt32LE(0, 20);
  const out: Buffer[] = [header];
  let o = 24;
  while (o + 16 <= input.length) {
    const captured = input.readUInt32LE(o + 8);
    const original = input.readUInt32LE(o + 12);
    const record = Buffer.alloc(16 + 4 + captured);
    input.copy(record, 0, o, o + 8);
    record.writeUInt32LE(captured + 4, 8);
    record.writeUInt32LE(original + 4, 12);
    const version = (input[o + 16] ?? 0) >> 4;
    record.writeUInt32LE(version === 6 ? 30 : 2, 16);
    input.copy(record, 20, o + 16, o + 16 + captured);
    out.push(record);
    o += 16 + captured;
  }
  return Buffer.concat(out);
}

/** Calls fn for each record of a little-endian pcap: (header bytes 0..16, packet bytes). */
function records(input: Buffer, fn: (header: Buffer, packet: Buffer) => void): void {
  let o = 24;
  while (o + 16 <= input.length) {
    const captured = input.readUInt32LE(o + 8);
    fn(input.subarray(o, o + 16), input.subarray(o + 16, o + 16 + captured));
    o += 16 + captured;
  }
}

function record(header: Buffer, packet: Buffer, grow: number): Buffer {
  const h = Buffer.from(header);
  h.writeUInt32LE(packet.length, 8);
  h.writeUInt32LE(header.readUInt32LE(12) + grow, 12);
  return Buffer.concat([h, packet]);
}

/** Ethernet pcap → the same frames carrying VLAN tags [(TPID, VLAN id) outermost first] after the MAC addresses. */
export function insertVlanTags(input: Buffer, tags: ReadonlyArray<readonly [number, number]>): Buffer {
  const out: Buffer[] = [Buffer.from(input.subarray(0, 24))];
  records(input, (header, packet) => {
    const tagBytes = Buffer.alloc(4 * tags.length);
    tags.forEach(([tpid, vid], i) => {
      tagBytes.writeUInt16BE(tpid, 4 * i);
      tagBytes.writeUInt16BE(vid, 4 * i + 2);
    });
    out.push(record(header, Buffer.concat([packet.subarray(0, 12), tagBytes, packet.subarray(12)]), tagBytes.length));
  });
  return Buffer.concat(out);
}

/** Ethernet pcap → LINKTYPE_RAW with the IP packets only (what a tunnel interface yields). */
export function ethernetToRaw(input: Buffer): Buffer {
  const header = Buffer.from(input.subarray(0, 24));
  header.writeUInt32LE(101, 20);
  const out: Buffer[] = [header];
  records(input, (h, packet) => {
    const ethertype = packet.readUInt16BE(12);
    if (ethertype === 0x0800 || ethertype === 0x86dd) out.push(record(h, packet.subarray(14), -14));
  });
  return Buffer.concat(out);
}
