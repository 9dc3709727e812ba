/**
 * Whether a peer whose call or upload failed has departed. A peer still connected has not (it is slow or flaky,
 * which the caller handles by backing it off); one whose connections are closed is re-dialled on its record's
 * addresses, and only one that does not answer counts as gone.
 */
import { logger } from '@libp2p/logger'
import { DEPARTURE_PING_TIMEOUT_MS, REDIAL_TIMEOUT_MS } from './constants.js'
import type { PeerNetwork } from './peer-network.js'

const log = logger('tessera:coordinator:liveness')

/** Resolves to whether the peer at `addresses` is still there (see the module comment). */
export async function peerStillThere (network: PeerNetwork, peerId: string, addresses: readonly string[]): Promise<boolean> {
  // A connection that still looks open but does not answer a ping may be one the peer just closed by stopping
  // (its streams reset before the connection does): a new connection tells. A peer that accepts one is there,
  // only slow or flaky; one that has left refuses it at once.
  let open = network.hasOpenConnection(peerId)
  if (open) {
    // Most failed calls on an open connection come from a busy peer: a ping over it says so without a new
    // connection (extra connections get pruned by libp2p, resetting the streams on them).
    try {
      await network.ping(peerId, AbortSignal.timeout(DEPARTURE_PING_TIMEOUT_MS))
      return true
    } catch (err) {
      log('peer %s did not answer a ping over its open connection: %e', peerId, err)
      open = network.hasOpenConnection(peerId)
    }
  }
  const timeout = AbortSignal.timeout(REDIAL_TIMEOUT_MS)
  try {
    await network.dial(addresses, { signal: timeout, force: open })
    return true
  } catch (err) {
    // A dial that only ran out of time while the old connection is still open says the host is busy, not gone (a
    // stopped peer refuses at once): slow, so backed off by the caller, never taken for departed.
    if (open && timeout.aborted && network.hasOpenConnection(peerId)) {
      log('peer %s is busy: a re-dial timed out while its connection stayed open', peerId)
      return true
    }
    log('peer %s departed: the re-dial failed: %e', peerId, err)
    return false
  }
}

/** Re-dials a peer taken for departed; resolves to whether it answered (it is back, without its old copies). */
export async function peerCameBack (network: PeerNetwork, peerId: string, addresses: readonly string[]): Promise<boolean> {
  try {
    await network.dial(addresses, { signal: AbortSignal.timeout(REDIAL_TIMEOUT_MS) })
    log('peer %s is back', peerId)
    return true
  } catch (err) {
    log.trace('peer %s is still gone: %e', peerId, err)
    return false
  }
}
