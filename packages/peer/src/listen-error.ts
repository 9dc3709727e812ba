/**
 * A failure to listen, said plainly. libp2p reports every address it could not listen on in one error whose message
 * embeds each cause's stack trace, with no field to read them from; the message lists each address at the start of
 * a line, so the addresses the node was configured with are looked for there, and the first line after each is its
 * cause ("listen EADDRINUSE: address already in use 127.0.0.1:4001").
 */
import { multiaddr } from '@multiformats/multiaddr'
import { ListenFailedError } from './errors.js'

function normalised (address: string): string {
  try {
    return multiaddr(address).toString()
  } catch {
    return address
  }
}

/** A ListenFailedError naming each configured address that failed and why, or undefined if `err` names none. */
export function listenFailure (err: unknown, listen: readonly string[]): ListenFailedError | undefined {
  if (!(err instanceof Error)) return undefined
  const failures: string[] = []
  for (const address of listen.map(normalised)) {
    const marker = `\n  ${address}: `
    const at = err.message.indexOf(marker)
    if (at < 0) continue
    const cause = err.message.slice(at + marker.length).split('\n')[0].replace(/^Error: /, '').trim()
    failures.push(`${address} (${cause})`)
  }
  if (failures.length === 0) return undefined
  return new ListenFailedError(`cannot listen on ${failures.join(', ')}`, { cause: err })
}
