/** Candidate addresses: where a peer's NAT will forward a flow to the punch socket, as `a.b.c.d:port`. */
import { isPrivateIp } from '@libp2p/utils'
import { InvalidCandidateError } from './errors.js'

/** An IPv4 address and TCP port. */
export interface Candidate {
  address: string
  port: number
}

const IPV4_PORT = /^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}):(\d{1,5})$/

/**
 * Parses `a.b.c.d:port`. Rejects anything a remote peer could use to make us connect somewhere it should not:
 * addresses that are not public unicast IPv4 (private, loopback, link-local, multicast, broadcast, unspecified —
 * libp2p's `isPrivateIp` plus multicast and above) unless `allowPrivate`, and ports outside 1–65535.
 */
export function parseCandidate (text: string, allowPrivate = false): Candidate {
  if (typeof text !== 'string') throw new InvalidCandidateError(`a candidate must be a string, got ${typeof text}`)
  const match = IPV4_PORT.exec(text)
  if (match === null) throw new InvalidCandidateError(`expected IPv4:port, got ${JSON.stringify(text.slice(0, 64))}`)
  const address = match[1]
  const port = Number(match[2])
  if (port < 1 || port > 65535) throw new InvalidCandidateError(`port out of range in ${JSON.stringify(text)}`)
  const first = Number(address.split('.')[0])
  if (first === 0 || first >= 224) throw new InvalidCandidateError(`not a unicast address: ${address}`)
  if (!allowPrivate && isPrivateIp(address) !== false) throw new InvalidCandidateError(`not a public address: ${address}`)
  return { address, port }
}

/** Formats a candidate as `a.b.c.d:port`. */
export function formatCandidate (candidate: Candidate): string {
  return `${candidate.address}:${candidate.port}`
}
