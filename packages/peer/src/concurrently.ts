/**
 * The bounded fan-out the node's DHT work uses (discovery's reads and walks, the publisher's direct puts): a few
 * requests in flight at once, so one slow peer does not hold up the rest and a round does not flood the event loop.
 */

/**
 * Runs `each` over `items` in order, at most `concurrency` at a time, and starts no item once `signal` has aborted.
 * Resolves to how many items were started: those from there on (`items.slice(started)`) never ran.
 */
export async function forEachConcurrently<T> (items: readonly T[], concurrency: number, each: (item: T) => Promise<void>, signal?: AbortSignal): Promise<number> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length && signal?.aborted !== true) await each(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane))
  return next
}
