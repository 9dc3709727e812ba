/**
 * Child process of the `dht-flood` benchmark: one tessera node on 127.0.0.1 with a LevelDB data dir, alone in its
 * process so that its resident memory is its own. Prints `{"event":"listening","peerId","addrs"}`, then answers each
 * `stats` line on stdin with `{"event":"stats","rssBytes","heapUsedBytes","dhtStore":{…}}` and each `holds <peerId>`
 * with `{"event":"holds","holds"}` (a valid record of that peer in its datastore); stops on `stop`, on SIGTERM or when
 * stdin closes.
 *
 * Arguments: `--data-dir <dir>`, and optionally `--max-records <n>` and `--max-records-per-peer <n>` (the DHT store's
 * bounds; default MAX_DHT_RECORDS and MAX_DHT_RECORDS_PER_PEER).
 */
import { createInterface } from 'node:readline'
import { createTesseraNode } from '@tessera/peer'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const dataDir = arg('--data-dir')
if (dataDir === undefined) throw new Error('--data-dir is required')
const maxRecords = arg('--max-records')
const maxRecordsPerPeer = arg('--max-records-per-peer')
const node = await createTesseraNode({
  network: 'local',
  dataDir,
  device: 'ideal',
  tiles: 4,
  calibrate: false,
  recordTtlMs: 60_000,
  recordRefreshMs: 5_000,
  dhtStore: {
    ...(maxRecords === undefined ? {} : { maxRecords: Number(maxRecords) }),
    ...(maxRecordsPerPeer === undefined ? {} : { maxRecordsPerPeer: Number(maxRecordsPerPeer) })
  }
})

let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await node.stop()
  process.exit(0)
}
process.on('SIGTERM', () => { void stop() })
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line.trim() === 'stats') {
    // Started with --expose-gc by the benchmark: what the node retains, not garbage not yet collected.
    const collect = (globalThis as { gc?: () => void }).gc
    collect?.()
    const memory = process.memoryUsage()
    process.stdout.write(JSON.stringify({ event: 'stats', rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, dhtStore: node.dhtStoreStats() }) + '\n')
  } else if (line.startsWith('holds ')) {
    void node.readLocalCapacityRecord(line.slice('holds '.length).trim()).then((found) => {
      process.stdout.write(JSON.stringify({ event: 'holds', holds: found !== undefined }) + '\n')
    })
  } else if (line.trim() === 'stop') {
    void stop()
  }
})
lines.on('close', () => { void stop() })
process.stdout.write(JSON.stringify({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((ma) => ma.toString()) }) + '\n')
