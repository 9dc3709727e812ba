/**
 * Background load: another user's work on a node, sent over the shard protocol by a client node of its own so
 * the node sees (and gossips) it like any other load. The loader keeps the node busy `backgroundLoad` of the time.
 */
import { logger } from '@libp2p/logger'
import { createRng } from '@tessera/crossbar'
import type { TesseraNode } from '@tessera/peer'
import type { ScenarioNode } from './scenario.js'
import { sleep } from './sleep.js'

const log = logger('tessera:sim:background')

/** Shard id of a node's own background work. */
const BACKGROUND_SHARD = 'background-load'
/** Target duration of one background execute, ms. */
const BACKGROUND_CALL_MS = 100

/**
 * Programs the background shard on `node` from `client` and starts the loop; resolves to the loop, which ends once
 * `stopped()` says so (at once for a node without background load).
 */
export async function startBackgroundLoad (client: TesseraNode, node: TesseraNode, n: ScenarioNode, seed: string, stopped: () => boolean): Promise<{ loop: Promise<void> }> {
  const load = n.backgroundLoad ?? 0
  if (!(load > 0)) return { loop: Promise.resolve() }
  const g = n.geometry
  const rng = createRng(`${seed}/background/${n.id}`)
  const weights = new Float32Array(g * g)
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextFloat() * 2 - 1
  const shards = client.shardClient(node.peerId)
  await shards.program({ shardId: BACKGROUND_SHARD, weights, rows: g, cols: g, seed: `${seed}/background/${n.id}` })
  const batch = Math.max(1, Math.round((BACKGROUND_CALL_MS / 1000) * n.macsPerSecond / (g * g)))
  const x = new Float32Array(batch * g)
  for (let i = 0; i < x.length; i++) x[i] = rng.nextFloat()
  const loop = (async () => {
    while (!stopped()) {
      const start = performance.now()
      let reply
      try {
        reply = await shards.execute({ shardId: BACKGROUND_SHARD, input: x, batch })
      } catch (err) {
        if (stopped()) return
        // The node left or is stopping (a scenario event): try again later.
        log('background call on %s failed: %e', n.id, err)
        await sleep(BACKGROUND_CALL_MS)
        continue
      }
      // Busy `load` of the device's time: one call's device time per deviceMs ÷ load, whatever the overhead.
      const deviceMs = reply.deviceTimeNs / 1e6
      await sleep(deviceMs / load - (performance.now() - start))
    }
  })()
  return { loop }
}
