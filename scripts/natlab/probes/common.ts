/** Shared bits of the probe programs, which run inside lab namespaces and talk JSON lines on stdout. */
import { once } from 'node:events'
import { createInterface } from 'node:readline'

/** An IPv4 address and port. */
export interface Endpoint {
  address: string
  port: number
}

/**
 * How long the shard client lets the path settle after its first result (the hole punch of NATed pairs) before it
 * times the upload, ms: the probe's `--settle-ms` default and the traversal matrix's (matrix.ts).
 */
export const SHARD_CLIENT_SETTLE_MS = 8000

/** Prints one JSON line on stdout. */
export function emit (value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

/** Parses `host:port`. */
export function parseEndpoint (text: string): Endpoint {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text)
  if (match === null) throw new Error(`expected IPv4:port, got ${JSON.stringify(text)}`)
  const port = Number(match[2])
  if (port < 1 || port > 65535) throw new Error(`port out of range in ${JSON.stringify(text)}`)
  return { address: match[1], port }
}

/** Parses a non-negative integer option. */
export function parseCount (name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`)
  return value
}

/** Reads the next line of stdin as JSON. */
export async function readJsonLine<T> (): Promise<T> {
  const lines = createInterface({ input: process.stdin })
  const [line] = await once(lines, 'line') as [string]
  lines.close()
  return JSON.parse(line) as T
}

/** Reports a probe's own failure as a JSON line and exits non-zero (the caller reads stdout, not stderr). */
export function fail (err: unknown): never {
  emit({ event: 'error', message: err instanceof Error ? err.message : String(err) })
  process.exit(2)
}
