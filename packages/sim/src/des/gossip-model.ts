/**
 * The metrics gossip (/tessera/metrics/1.0.0) between the peers and a simulated coordinator. Every
 * `intervalMs` each live peer the coordinator is connected to pushes a sample — its worker's queue depth, the
 * shard streams it is serving, the count and median wall time of its executes in the window
 * (packages/peer/src/tessera-node.ts) —, at a phase of its own. The coordinator handles each sample as
 * packages/coordinator/src/coordinator.ts does: the part of the peer's pool that other users take (busy share minus
 * its own device time there), and, for a peer it has not called lately, the throughput left for it from long-term
 * memory or the record.
 */
import { MAX_OTHERS_UTILISATION, RECENT_SPEED_WINDOW_MS } from '@tessera/coordinator'
import type { DesCoordinator } from './coordinator-model.js'

/** Starts the pushes to `c`; returns a function that stops them. */
export function startGossip (c: DesCoordinator, intervalMs: number): () => void {
  let stopped = false
  const phaseRng = c.world.rng(`${c.settings.runId}/gossip-phase`)
  const started = new Set<string>()
  const push = (peerId: string): void => {
    if (stopped) return
    const peer = c.peer(peerId)
    if (peer === undefined || !peer.alive) {
      started.delete(peerId)
      return
    }
    if (c.targets.has(peerId) && !c.dead.has(peerId)) {
      // A sample is a message the coordinator's event loop handles once it is free.
      if (c.world.loopCanStall) c.world.onLoop(() => { if (!c.dead.has(peerId)) onSample(c, peerId, intervalMs) })
      else onSample(c, peerId, intervalMs)
    }
    c.world.queue.after(intervalMs, () => { push(peerId) })
  }
  // Peers found later start pushing at the next look (they push to every peer they are connected to).
  const look = (): void => {
    if (stopped) return
    for (const peerId of c.targets.keys()) {
      if (started.has(peerId) || c.peer(peerId)?.alive !== true) continue
      started.add(peerId)
      c.world.queue.after(phaseRng.nextFloat() * intervalMs, () => { push(peerId) })
    }
    c.world.queue.after(intervalMs, look)
  }
  look()
  return () => { stopped = true }
}

function onSample (c: DesCoordinator, peerId: string, windowMs: number): void {
  const peer = c.peer(peerId)
  const target = c.targets.get(peerId)
  if (peer === undefined || target === undefined) return
  const nowMs = c.now()
  const window = peer.loadSummary(windowMs)
  const busy = Math.min(1, (window.count * window.p50Ms) / windowMs)
  const ours = c.recentBusy.since(peerId, nowMs - windowMs) / windowMs
  const others = Math.min(MAX_OTHERS_UTILISATION, Math.max(0, busy - ours))
  c.recentBusy.setOthers(peerId, others)
  let throughput: number | undefined
  if (c.recentBusy.macsPerSecond(peerId, nowMs - RECENT_SPEED_WINDOW_MS) === undefined) {
    throughput = (c.longTerm.throughput(peerId, nowMs) ?? (target.record.throughputGflopPerSecond * 1e9) / 2) * (1 - others)
  }
  c.shortTerm.observe(peerId, { queueDepth: peer.queueDepth, inFlight: peer.streams, ...(throughput !== undefined && throughput > 0 ? { throughput } : {}) }, nowMs)
}
