/** Counters from `nstat -asz` text: `Name  value  rate` lines; `#` lines are headers. */
export function parseNstat(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const [name, value] = line.trim().split(/\s+/);
    if (name !== undefined && value !== undefined && /^\d+$/.test(value)) counters.set(name, Number(value));
  }
  return counters;
}

/** after − before for every counter that moved. */
export function counterDeltas(before: string, after: string): Record<string, number> {
  const b = parseNstat(before);
  const deltas: Record<string, number> = {};
  for (const [name, value] of parseNstat(after)) {
    const delta = value - (b.get(name) ?? 0);
    if (delta !== 0) deltas[name] = delta;
  }
  return deltas;
}
