/**
 * When a new node has joined the DHT well enough to publish. A put or provide goes to the peers its lookup finds
 * closest to the key; published before the node's view of the network has formed, the entries land on the few peers it
 * knows and must be moved once the view fills (capacity-publisher.ts, key-placements.ts) — in a 100-node cold start,
 * a lookup and 20 messages more per node and key. The node waits until kad-dht's first self-query (which finds its
 * neighbours) has run and its routing table has stopped growing for a moment, or at most a bound: a node joining a
 * formed network publishes a couple of seconds after that self-query, nodes starting together once the network around
 * them has formed, and a lone node after the bound.
 */
import { logger } from '@libp2p/logger'

const log = logger('tessera:peer:join-wait')

/** How long the routing table must not grow before the node counts as joined. */
export const DEFAULT_JOIN_STABLE_MS = 2_000

/** Longest wait before the first publication, joined or not. */
export const DEFAULT_JOIN_MAX_WAIT_MS = 10_000

/** Period of the routing table checks. */
const CHECK_MS = 500

/** What the wait watches. */
export interface JoinView {
  /** Peers in the DHT routing table. */
  routingTableSize(): number
  /** Calls `listener` once kad-dht's self-query has run; returns a function that stops listening. */
  onSelfQuery(listener: () => void): () => void
}

export interface JoinWaitInit {
  stableMs?: number
  maxWaitMs?: number
}

/** How the wait ended. */
export type JoinOutcome = 'joined' | 'waited-max' | 'aborted'

/** Resolves once the node has joined (see the module comment), at the bound, or when `signal` aborts. */
export async function waitForJoin (view: JoinView, init: JoinWaitInit, signal: AbortSignal): Promise<JoinOutcome> {
  const stableMs = init.stableMs ?? DEFAULT_JOIN_STABLE_MS
  const maxWaitMs = init.maxWaitMs ?? DEFAULT_JOIN_MAX_WAIT_MS
  if (maxWaitMs <= 0) return 'joined'
  if (signal.aborted) return 'aborted'
  let selfQueried = false
  const unsubscribe = view.onSelfQuery(() => { selfQueried = true })
  try {
    return await new Promise<JoinOutcome>((resolve) => {
      let waitedMs = 0
      let size = view.routingTableSize()
      let stableForMs = 0
      let timer: ReturnType<typeof setTimeout>
      const onAbort = (): void => {
        clearTimeout(timer)
        resolve('aborted')
      }
      const check = (): void => {
        waitedMs += CHECK_MS
        const now = view.routingTableSize()
        stableForMs = now === size ? stableForMs + CHECK_MS : 0
        size = now
        if (selfQueried && size > 0 && stableForMs >= stableMs) {
          signal.removeEventListener('abort', onAbort)
          log('joined after %d ms with %d peers in the routing table', waitedMs, size)
          resolve('joined')
        } else if (waitedMs >= maxWaitMs) {
          signal.removeEventListener('abort', onAbort)
          log('publishing after %d ms with %d peers in the routing table, the self-query %s', waitedMs, size, selfQueried ? 'done' : 'not done')
          resolve('waited-max')
        } else {
          timer = setTimeout(check, CHECK_MS)
          timer.unref?.()
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      timer = setTimeout(check, CHECK_MS)
      timer.unref?.()
    })
  } finally {
    unsubscribe()
  }
}
