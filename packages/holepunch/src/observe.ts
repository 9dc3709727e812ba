/**
 * Learning our NAT mapping: open a real libp2p connection to a public peer (the observer) from a port we bound
 * ourselves, and read the address the observer reports for it in identify (`observedAddr`). The punch later
 * leaves from the same port, so under an endpoint-independent NAT the peer will see the same public address.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { ObservationFailedError, TcpConnectError } from './errors.js'
import { connectFrom } from './tcp.js'
import { socketToMultiaddrConnection } from './socket-connection.js'
import type { Candidate } from './candidates.js'
import type { Connection, IdentifyResult, Libp2pEvents, Logger, PeerId, TypedEventTarget, Upgrader } from '@libp2p/interface'

/** A public peer reachable over plain TCP. */
export interface Observer {
  peerId: PeerId
  address: Candidate
}

/** What an observation found. The connection stays open until {@link Observation.close}. */
export interface Observation {
  /** The local port the observer connection (and later the punch) leaves from. */
  localPort: number
  /** The address and port the observer saw. */
  observed: Candidate
  /** The NAT kept the local port: the mapping towards another peer is predictable. */
  portPreserved: boolean
  close: () => Promise<void>
}

export interface ObserveComponents {
  upgrader: Upgrader
  events: TypedEventTarget<Libp2pEvents>
}

/** Extracts an IPv4 TCP endpoint from identify's observed address, if it is one. */
export function observedEndpoint (result: Pick<IdentifyResult, 'observedAddr'>): Candidate | undefined {
  const addr = result.observedAddr
  if (addr === undefined) return undefined
  const components = addr.getComponents()
  const ip = components[0]
  const tcp = components[1]
  if (ip?.name !== 'ip4' || tcp?.name !== 'tcp' || ip.value === undefined || tcp.value === undefined) return undefined
  return { address: ip.value, port: Number(tcp.value) }
}

/** Connects to the observer from a fresh port and waits for identify's report of how it sees us. */
export async function observeMapping (components: ObserveComponents, observer: Observer, timeoutMs: number, log: Logger): Promise<Observation> {
  const signal = AbortSignal.timeout(timeoutMs)
  let connection: Connection | undefined
  // identify may answer before upgradeOutbound returns the connection, so reports are kept by connection id.
  const reports = new Map<string, Candidate | undefined>()
  let wake: (() => void) | undefined
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (!evt.detail.peerId.equals(observer.peerId)) return
    reports.set(evt.detail.connection.id, observedEndpoint(evt.detail))
    wake?.()
  }
  components.events.addEventListener('peer:identify', onIdentify)
  try {
    const socket = await connectFrom(observer.address, { localPort: 0, timeoutMs, signal })
    const localPort = socket.localPort
    if (localPort === undefined) {
      socket.destroy()
      throw new ObservationFailedError('the observer socket has no local port')
    }
    const maConn = socketToMultiaddrConnection({
      socket,
      remoteAddr: multiaddr(`/ip4/${observer.address.address}/tcp/${observer.address.port}/p2p/${observer.peerId.toString()}`),
      direction: 'outbound',
      log: log.newScope('observer')
    })
    try {
      connection = await components.upgrader.upgradeOutbound(maConn, { signal })
    } catch (err) {
      maConn.abort(err as Error)
      throw err
    }
    const id = connection.id
    if (!reports.has(id)) {
      signal.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { reject(signal.reason as Error) }
        wake = () => {
          if (!reports.has(id)) return
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
        signal.addEventListener('abort', onAbort, { once: true })
      })
    }
    const observed = reports.get(id)
    if (observed === undefined) throw new ObservationFailedError(`observer ${observer.peerId.toString()} reported no IPv4/TCP observed address`)
    const conn = connection
    return {
      localPort,
      observed,
      portPreserved: observed.port === localPort,
      close: async () => {
        await conn.close().catch((err: Error) => {
          // The observation is made; a close that fails only means the connection goes down hard instead.
          log.trace('closing the observer connection to %p failed, aborting it - %e', observer.peerId, err)
          conn.abort(err)
        })
      }
    }
  } catch (err) {
    connection?.abort(err instanceof Error ? err : new Error(String(err)))
    if (err instanceof ObservationFailedError) throw err
    const reason = err instanceof TcpConnectError ? err.reason : (err as Error).name
    throw new ObservationFailedError(`could not learn the NAT mapping from ${observer.peerId.toString()} at ${observer.address.address}:${observer.address.port} (${reason}): ${(err as Error).message}`, { cause: err })
  } finally {
    wake = undefined
    components.events.removeEventListener('peer:identify', onIdentify)
  }
}
