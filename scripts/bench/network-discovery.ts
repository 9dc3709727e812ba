/**
 * The `network` benchmark's discovery rows: DHT messages (requests sent, kad-dht's SEND_QUERY events) and record
 * reads of one discovery round on N real nodes over loopback, for the first round and for later rounds (the
 * coordinator runs one every 3 s during a run), old design against new:
 * - `read-every-provider`: `discoverCapacityRecords` (packages/peer/src/discovery.ts), what the coordinator ran
 *   each round before: every level-1 bucket, then every provider's record through the DHT;
 * - `bucketed-k8`: `DhtDiscovery` (packages/peer/src/discovery-source.ts) wanting 8 candidates;
 * - `bucketed-all`: the same wanting every peer (what the coordinator does below DISCOVERY_WANTED_PEERS).
 * Each design runs from its own fresh client node, after every node has published its record and provided its keys.
 */
import { RECONFIGURE_DISCOVERY_INTERVAL_MS } from '@tessera/coordinator'
import { DhtDiscovery, countingDht, createTesseraNode, discoverCapacityRecords, newDhtMessageCount } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { BOOTSTRAP_NODES, LOCAL_NODE, startScaleNodes } from './network-nodes.js'

export type DiscoveryDesign = 'read-every-provider' | 'bucketed-k8' | 'bucketed-all'

export interface DiscoveryCostRow {
  nodes: number
  design: DiscoveryDesign
  firstRoundMessages: number
  firstRoundReads: number
  /** Mean over the later rounds. */
  laterRoundMessages: number
  laterRoundReads: number
  /** Records (or candidates) held after the last round. */
  recordsFound: number
  firstRoundMs: number
  laterRoundMs: number
}

const LATER_ROUNDS = 3
const ROUND_TIMEOUT_MS = 30_000
/** How long a fresh client may take to fill its routing table from the bootstrap nodes. */
const JOIN_LIMIT_MS = 30_000
const PUBLISH_LIMIT_MS = 120_000

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** One design's rounds from a fresh client. */
async function measure (design: DiscoveryDesign, n: number, bootstrap: string[]): Promise<DiscoveryCostRow> {
  const client = await createTesseraNode({ ...LOCAL_NODE, serve: false, bootstrap })
  try {
    // A round started before the client knows any DHT server sends nothing and finds nothing: wait for the bootstrap
    // connections, then for identify to tell kad-dht they are servers.
    const joinBy = Date.now() + JOIN_LIMIT_MS
    while (client.libp2p.getConnections().length < Math.min(n, BOOTSTRAP_NODES) && Date.now() < joinBy) await sleep(100)
    await sleep(1_000)
    const rounds: Array<{ messages: number, reads: number, ms: number }> = []
    let recordsFound = 0
    if (design === 'read-every-provider') {
      const count = newDhtMessageCount()
      const dht = countingDht(client.libp2p.services.dht, client.peerId, count)
      for (let i = 0; i <= LATER_ROUNDS; i++) {
        if (i > 0) await sleep(RECONFIGURE_DISCOVERY_INTERVAL_MS)
        const before = { ...count }
        const startedAt = Date.now()
        const found = await discoverCapacityRecords(dht, client.validator, client.peerId, { timeoutMs: ROUND_TIMEOUT_MS })
        rounds.push({ messages: count.messages - before.messages, reads: count.reads - before.reads, ms: Date.now() - startedAt })
        recordsFound = found.length
      }
    } else {
      const discovery = new DhtDiscovery(client.libp2p.services.dht, client.validator, client.peerId, { wanted: design === 'bucketed-k8' ? 8 : Infinity, seed: `bench/${n}` })
      for (let i = 0; i <= LATER_ROUNDS; i++) {
        if (i > 0) await sleep(RECONFIGURE_DISCOVERY_INTERVAL_MS)
        const startedAt = Date.now()
        const r = await discovery.round({ timeoutMs: ROUND_TIMEOUT_MS })
        rounds.push({ messages: r.messages, reads: r.recordsRead, ms: Date.now() - startedAt })
      }
      recordsFound = discovery.candidates().length
    }
    const later = rounds.slice(1)
    const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)
    return {
      nodes: n,
      design,
      firstRoundMessages: rounds[0].messages,
      firstRoundReads: rounds[0].reads,
      laterRoundMessages: mean(later.map((r) => r.messages)),
      laterRoundReads: mean(later.map((r) => r.reads)),
      recordsFound,
      firstRoundMs: rounds[0].ms,
      laterRoundMs: mean(later.map((r) => r.ms))
    }
  } finally {
    await client.stop()
  }
}

/** N nodes in this process, every one published, then each design measured. */
export async function discoveryCost (n: number, onProgress: (note: string) => void = () => {}): Promise<DiscoveryCostRow[]> {
  const nodes: TesseraNode[] = []
  try {
    const bootstrap = await startScaleNodes(n, nodes)
    const deadline = Date.now() + PUBLISH_LIMIT_MS
    while (!nodes.every((node) => node.lastPublished()?.provided === true) && Date.now() < deadline) await sleep(500)
    const published = nodes.filter((node) => node.lastPublished()?.provided === true).length
    onProgress(`discovery cost: ${published}/${n} nodes published their record and bucket keys`)
    const rows: DiscoveryCostRow[] = []
    for (const design of ['read-every-provider', 'bucketed-k8', 'bucketed-all'] as const) rows.push(await measure(design, n, bootstrap))
    return rows
  } finally {
    await Promise.allSettled(nodes.map(async (node) => { await node.stop() }))
  }
}
