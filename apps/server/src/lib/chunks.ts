/**
 * Runs `fn` on consecutive slices of `items` of at most `size` items, one after another (each
 * awaited, so the statements of one transaction stay in order), and joins what they answer.
 * Multi-row statements are chunked because both databases bound the parameters of one statement.
 */
export async function inChunks<T, R>(items: readonly T[], size: number, fn: (chunk: T[]) => Promise<readonly R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += size) out.push(...(await fn(items.slice(start, start + size))));
  return out;
}
