/**
 * Typed-array columns of struct-of-arrays tables (handshake tracker, simulator events).
 *
 * A table that grows replaces its columns. V8 treats an object field that has been stored only once as a constant,
 * embeds it in optimised code, and throws all that code away when the field is first replaced (a deopt for "code
 * dependencies", then a recompile of every hot function that touched the table). Tables therefore give their
 * growable fields an empty initial value and set them again in the constructor: stored twice before any code is
 * optimised, they are ordinary fields from the start (the handshake tracker's hot functions were compiled up to
 * six times each before).
 */
export type Column = Int32Array | Uint32Array | Float64Array | Uint8Array | Int8Array | Int16Array;

/** A copy of `column` with room for `capacity` entries (the extra entries are zero). */
export function grownColumn<T extends Column>(column: T, capacity: number): T {
  const grown = new (column.constructor as new (length: number) => T)(capacity);
  grown.set(column);
  return grown;
}
