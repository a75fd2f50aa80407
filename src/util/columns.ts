/** Typed-array columns of struct-of-arrays tables (handshake tracker, simulator events). */
export type Column = Int32Array | Uint32Array | Float64Array | Uint8Array | Int8Array | Int16Array;

/** A copy of `column` with room for `capacity` entries (the extra entries are zero). */
export function grownColumn<T extends Column>(column: T, capacity: number): T {
  const grown = new (column.constructor as new (length: number) => T)(capacity);
  grown.set(column);
  return grown;
}
