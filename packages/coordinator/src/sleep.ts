/** Resolves after `ms` (immediately for 0 or less): retries, back-offs and paced arrivals wait with it. */
export async function sleep (ms: number): Promise<void> {
  if (!(ms > 0)) return
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}

/**
 * Resolves once `now()` has reached `atMs`, or earlier once `stopped()` says so. A timer alone may fire a little
 * early by the caller's clock (libuv times it from the event loop's cached time), so it sleeps again for what is left.
 */
export async function sleepUntil (atMs: number, now: () => number, stopped: () => boolean = () => false): Promise<void> {
  for (let left = atMs - now(); left > 0 && !stopped(); left = atMs - now()) await sleep(left)
}
