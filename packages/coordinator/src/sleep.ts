/** Resolves after `ms` (immediately for 0 or less): retries, back-offs and paced arrivals wait with it. */
export async function sleep (ms: number): Promise<void> {
  if (!(ms > 0)) return
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}
