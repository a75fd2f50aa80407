/** TCP header (RFC 9293). Offsets relative to the header start. */
export const TCP_MIN_HEADER_LEN = 20;
export const TCP = {
  SRC_PORT: 0,
  DST_PORT: 2,
  SEQ: 4,
  ACK: 8,
  DATA_OFFSET: 12,
  FLAGS: 13,
  WINDOW: 14,
  CHECKSUM: 16,
  URGENT: 18,
} as const;

export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** tcpdump's flag letters, e.g. "S.", "R.", "F." */
export function describeTcpFlags(flags: number): string {
  let text = "";
  if (flags & TCP_FLAG.FIN) text += "F";
  if (flags & TCP_FLAG.SYN) text += "S";
  if (flags & TCP_FLAG.RST) text += "R";
  if (flags & TCP_FLAG.PSH) text += "P";
  if (flags & TCP_FLAG.URG) text += "U";
  if (flags & TCP_FLAG.ECE) text += "E";
  if (flags & TCP_FLAG.CWR) text += "W";
  if (flags & TCP_FLAG.ACK) text += ".";
  return text || "none";
}
