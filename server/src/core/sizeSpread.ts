/**
 * A tensor's whole size, or a slice of it, standing for several entries of a shape: `x.size()` is `*shape`,
 * `x.size()[:-1]` is `*shape[:-1]`, and `x.view(*x.size()[:-1], h, d)` (Hugging Face's split_heads) has the shape
 * `['*shape[:-1]', h, d]`. The slice counts the batch axis, as `x.size()` does; it is expanded against the shape
 * of the tensor it was read from, which is the view's own input in the idiom.
 */

/** The whole size of a tensor, batch axis included. */
export const WHOLE_SHAPE = '*shape';

const SPREAD = /^\*shape(?:\[(-?\d+)?:(-?\d+)?\])?$/;

/** Whether a shape entry stands for several entries of the input's shape. */
export function isSpread(entry: unknown): entry is string {
  return typeof entry === 'string' && SPREAD.test(entry);
}

/**
 * `*shape[start:stop]`, the slice of a whole size; undefined when `entry` is already a slice (a slice of a slice is
 * not needed by the idioms this reads, and is not guessed). `null` is an omitted bound.
 */
export function sliceSpread(entry: string, start: number | null, stop: number | null): string | undefined {
  if (entry !== WHOLE_SHAPE) return undefined;
  if (start === null && stop === null) return WHOLE_SHAPE;
  return `${WHOLE_SHAPE}[${start ?? ''}:${stop ?? ''}]`;
}

/** The entries of `shape` (batch axis first) that a spread entry stands for; undefined for any other entry. */
export function expandSpread<T>(entry: unknown, shape: readonly T[]): T[] | undefined {
  if (typeof entry !== 'string') return undefined;
  const m = SPREAD.exec(entry);
  if (!m) return undefined;
  const start = m[1] === undefined ? undefined : Number(m[1]);
  const stop = m[2] === undefined ? undefined : Number(m[2]);
  return shape.slice(start, stop);
}

/** A shape with its spread entries expanded against the input's shape (batch first); undefined when none is. */
export function expandSpreads<T>(dims: readonly unknown[], shape: readonly T[]): (T | unknown)[] | undefined {
  if (!dims.some(isSpread)) return undefined;
  return dims.flatMap((d) => expandSpread(d, shape) ?? [d]);
}
