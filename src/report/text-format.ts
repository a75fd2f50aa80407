/** Small helpers for terminal text: percentages, aligned columns, optional bold (thousands separators: util/number-text.ts). */

import { grouped } from "../util/number-text.js";

/** "1 attempt", "2 attempts" */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${grouped(n)} ${n === 1 ? noun : plural}`;
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return "0%";
  const value = (100 * part) / whole;
  return `${value < 10 && value > 0 ? value.toFixed(1) : Math.round(value)}%`;
}

export function seconds(micros: number): string {
  const s = micros / 1e6;
  return s < 10 ? `${s.toFixed(2)} s` : s < 600 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

/** Lays rows out in columns; the first column is left-aligned, the rest right-aligned unless `left` names them. */
export function columns(rows: readonly (readonly string[])[], indent = "  ", left: readonly number[] = [0]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd());
}

export interface Style {
  bold(text: string): string;
  warn(text: string): string;
}

export const PLAIN: Style = { bold: (t) => t, warn: (t) => t };
export const ANSI: Style = { bold: (t) => `\u001b[1m${t}\u001b[22m`, warn: (t) => `\u001b[33m${t}\u001b[39m` };
