/** A value that `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Finite numbers only: JSON has no Infinity or NaN, so such times are written as null. */
export function jsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
