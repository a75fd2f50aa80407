/** A count as people read it: 3,609,365 (report text, and the prose of findings). */
export function grouped(n: number): string {
  return n.toLocaleString("en-US");
}
