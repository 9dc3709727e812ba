import { homedir } from 'node:os'
import { join } from 'node:path'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { POLICY_NAMES } from '@tessera/scheduler'
import { InvalidArgumentError } from 'commander'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { FlagRange } from './constants.js'

/** Per-user data dir: $XDG_DATA_HOME/tessera (Linux), ~/Library/Application Support/tessera, %LOCALAPPDATA%\tessera. */
export function defaultDataDir (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'tessera')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'tessera')
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tessera')
}

/** How a range reads in a message: `[1000, 600000] ms`. */
export function describeRange (range: FlagRange, unit = ''): string {
  return `[${range.min}, ${range.max}]${unit === '' ? '' : ` ${unit}`}`
}

/** commander parser: an integer (digits only) in `range`; out of range, the message states the range. */
export function integerIn (range: FlagRange, unit = ''): (value: string) => number {
  return (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < range.min || n > range.max) {
      throw new InvalidArgumentError(`expected an integer in ${describeRange(range, unit)}, got ${JSON.stringify(value)}`)
    }
    return n
  }
}

/** commander parser: a finite number in `range`; out of range, the message states the range. */
export function numberIn (range: FlagRange, unit = ''): (value: string) => number {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n) || n < range.min || n > range.max) {
      throw new InvalidArgumentError(`expected a number in ${describeRange(range, unit)}, got ${JSON.stringify(value)}`)
    }
    return n
  }
}

/** commander parser: a multiaddr, collected into a list when the flag repeats. */
export function collectMultiaddr (value: string, previous: string[] = []): string[] {
  let ma: Multiaddr
  try {
    ma = multiaddr(value)
  } catch (err) {
    throw new InvalidArgumentError(`not a multiaddr: ${JSON.stringify(value)} (${(err as Error).message})`)
  }
  return [...previous, ma.toString()]
}

/** commander parser: a bootstrap multiaddr, which must name its peer (`/p2p/<peerId>`). */
export function collectBootstrap (value: string, previous: string[] = []): string[] {
  const list = collectMultiaddr(value, previous)
  const ma = multiaddr(list[list.length - 1])
  if (ma.getComponents().find((c) => c.name === 'p2p') == null) {
    throw new InvalidArgumentError(`a bootstrap address must end in /p2p/<peerId>: ${JSON.stringify(value)}`)
  }
  return list
}

/** `local` when every bootstrap address is private or loopback (one machine or LAN), else `public`. */
export function guessNetwork (bootstrap: string[]): 'local' | 'public' {
  return bootstrap.length > 0 && bootstrap.every((a) => isPrivate(multiaddr(a))) ? 'local' : 'public'
}

/** Writes one line: JSON when `json`, text otherwise. */
export function emit (json: boolean, event: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${text}\n`)
}

/** Parses a comma-separated list of policy names (commander argument parser). */
export function parsePolicies (value: string): string[] {
  const list = value.split(',').map((p) => p.trim()).filter((p) => p !== '')
  for (const p of list) {
    if (!(POLICY_NAMES as readonly string[]).includes(p)) throw new InvalidArgumentError(`unknown policy ${JSON.stringify(p)}; known: ${POLICY_NAMES.join(', ')}`)
  }
  if (list.length === 0) throw new InvalidArgumentError('expected a comma-separated list of policies')
  return list
}
