/** Resolves after `ms` (at once for 0 or less): the harness waits between phases and paced background calls. */
export async function sleep (ms: number): Promise<void> {
  if (!(ms > 0)) return
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}
