// Small text helpers shared by the frontends.

/** One line of at most `max` characters: whitespace runs folded, an ellipsis where cut. */
export function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
