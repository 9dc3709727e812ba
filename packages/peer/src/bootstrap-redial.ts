import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_REDIAL_INTERVAL_MS } from './constants.js'
import type { Libp2p } from '@libp2p/interface'

const log = logger('tessera:peer:redial')

export interface BootstrapRedialInit {
  /** Check period (default 5 s). */
  intervalMs?: number
  /** Timeout of each dial (default 10 s). */
  dialTimeoutMs?: number
}

export interface BootstrapRedial {
  stop(): void
}

/**
 * Keeps dialling the bootstrap peers while the node has no connection at all. `@libp2p/bootstrap` dials once; a node
 * whose only dial was refused (busy bootstrap peer, peer not up yet) would otherwise stay isolated and every DHT
 * query would hang until its timeout (measured: 11 of 50 loopback nodes).
 */
export function startBootstrapRedial (node: Libp2p, addrs: string[], init: BootstrapRedialInit = {}): BootstrapRedial {
  const intervalMs = init.intervalMs ?? DEFAULT_REDIAL_INTERVAL_MS
  const dialTimeoutMs = init.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS
  const self = node.peerId.toString()
  const targets = addrs.map((a) => multiaddr(a)).filter((ma) => ma.getComponents().find((c) => c.name === 'p2p')?.value !== self)
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = targets.length === 0

  const tick = async (): Promise<void> => {
    if (node.getConnections().length === 0) {
      log('no connection: dialling %d bootstrap peers', targets.length)
      await Promise.all(targets.map(async (ma) => {
        try {
          await node.dial(ma, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(dialTimeoutMs)]) })
        } catch (err) {
          // The peer may not be up yet or be busy: the next check dials again.
          log('dialling bootstrap peer %a failed - %e', ma, err)
        }
      }))
    }
    if (!stopped) {
      timer = setTimeout(() => { void tick() }, intervalMs)
      timer.unref?.()
    }
  }
  if (!stopped) {
    void tick()
  }
  return {
    stop () {
      stopped = true
      controller.abort()
      if (timer != null) clearTimeout(timer)
    }
  }
}
