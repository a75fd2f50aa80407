/** What the terminal can do: colours only on a TTY and without NO_COLOR; progress only on a TTY stderr. */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env);
}

export function showProgress(): boolean {
  return Boolean(process.stderr.isTTY);
}

export function warn(message: string): void {
  process.stderr.write(`nosynack: warning: ${message}\n`);
}
