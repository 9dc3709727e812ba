/**
 * The `dht-flood` benchmark, over loopback (127.0.0.1): a tessera node with a LevelDB data dir runs in a child process
 * (./dht-flood-victim.ts) beside an honest node; `--senders` DHT clients then PUT `--records` valid capacity records,
 * each signed by a throw-away key and as large as validators accept, straight to it. Reported: the victim's resident memory and datastore size before
 * and after, what its DHT store holds, evicted and refused, whether the honest and the victim's own records are still
 * served, and the flood's rate. With `--unbounded`, the same run against a victim whose record bounds are raised out of
 * reach, for comparison.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { InvalidArgumentError } from 'commander'
import { createTesseraNode, DATASTORE_DIR, MAX_DHT_RECORDS, MAX_DHT_RECORDS_PER_PEER } from '@tessera/peer'
import { MAX_CAPACITY_RECORD_SIZE_BYTES, capacityRecordKey, signCapacityRecord } from '@tessera/memory'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { Command } from 'commander'
import type { PeerId } from '@libp2p/interface'
import type { DhtStoreStats, TesseraNode } from '@tessera/peer'
import { progressNote } from './options.js'

const DEFAULT_RECORDS = 2_000
/** Enough senders that their per-sender bounds together exceed the total one (20 × 32 > 512). */
const DEFAULT_SENDERS = 20
const DEFAULT_CHECKPOINTS = 4
/** Bounds of the comparison run: out of reach of the flood. */
const UNBOUNDED = 1_000_000
const CLIENT = { network: 'local' as const, serve: false, listen: [], dhtClientMode: true, redialIntervalMs: 300 }

/** The victim after some of the flood (memory measured after a full garbage collection). */
export interface FloodCheckpoint {
  recordsSent: number
  rssBytes: number
  heapUsedBytes: number
  datastoreBytes: number
  dhtStore: DhtStoreStats
}

export interface FloodRun {
  bounds: { maxRecords: number, maxRecordsPerPeer: number }
  records: number
  senders: number
  floodMs: number
  /** PUTs the victim acknowledged, and PUTs it answered with an error. */
  acceptedByVictim: number
  refusedByVictim: number
  /** Before the flood (recordsSent 0), then after each equal part of it. */
  checkpoints: FloodCheckpoint[]
  /** On-disk size once the victim has stopped. */
  datastoreBytesStopped: number
  /** Whether the victim still holds a valid record of the honest node, and of itself. */
  honestRecordHeld: boolean
  ownRecordHeld: boolean
}

interface VictimStats { rssBytes: number, heapUsedBytes: number, dhtStore: DhtStoreStats }

/** The lines the victim prints (./dht-flood-victim.ts). */
type VictimLine =
  | { event: 'listening', peerId: string, addrs: string[] }
  | ({ event: 'stats' } & VictimStats)
  | { event: 'holds', holds: boolean }

/** The victim child process and its JSON lines. */
class Victim {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiting: Array<(line: VictimLine) => void> = []
  private readonly exited: Promise<unknown>

  constructor (dataDir: string, bounds: FloodRun['bounds']) {
    const script = fileURLToPath(new URL('./dht-flood-victim.js', import.meta.url))
    // --expose-gc: the victim collects garbage before it reports its memory, so the figures are what it retains.
    this.child = spawn(process.execPath, ['--expose-gc', script, '--data-dir', dataDir, '--max-records', String(bounds.maxRecords), '--max-records-per-peer', String(bounds.maxRecordsPerPeer)], { stdio: 'pipe' })
    this.exited = new Promise((resolve) => { this.child.on('exit', resolve) })
    this.child.stderr.pipe(process.stderr)
    createInterface({ input: this.child.stdout }).on('line', (line) => { this.waiting.shift()?.(JSON.parse(line) as VictimLine) })
  }

  /** The next line of the kind `event` (the victim answers one command at a time, so lines come in order). */
  async next<E extends VictimLine['event']> (event: E): Promise<Extract<VictimLine, { event: E }>> {
    const line = await new Promise<VictimLine>((resolve) => { this.waiting.push(resolve) })
    if (line.event !== event) throw new Error(`the victim printed a ${line.event} line where a ${event} line was expected`)
    return line as Extract<VictimLine, { event: E }>
  }

  private async ask<E extends VictimLine['event']> (command: string, event: E): Promise<Extract<VictimLine, { event: E }>> {
    const reply = this.next(event)
    this.child.stdin.write(`${command}\n`)
    return await reply
  }

  async stats (): Promise<VictimStats> {
    return await this.ask('stats', 'stats')
  }

  /** Whether the victim holds a valid record of `peer`. */
  async holds (peer: PeerId): Promise<boolean> {
    return (await this.ask(`holds ${peer.toString()}`, 'holds')).holds
  }

  async stop (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.stdin.writable) this.child.stdin.end('stop\n')
    await this.exited
  }
}

async function directoryBytes (dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}

/**
 * Addresses that bring a record close to MAX_CAPACITY_RECORD_SIZE_BYTES, the largest a validator accepts: the most a
 * flood can store per record (what made 1,500 records 11 MB of datastore before the bounds).
 */
const FILLER_ADDRESSES = Array.from({ length: Math.floor((MAX_CAPACITY_RECORD_SIZE_BYTES - 700) / 512) }, (_, i) => `/dns4/${'x'.repeat(480)}.example/tcp/${4001 + i}`)

/** A capacity record of a key made for this one record, as large as validators accept. */
async function throwAwayRecord (i: number): Promise<{ peer: PeerId, value: Uint8Array }> {
  const key = await generateKeyPair('Ed25519')
  const peer = peerIdFromPrivateKey(key)
  const now = Date.now()
  const value = await signCapacityRecord({
    peerId: peer.toString(),
    device: { preset: 'ideal', geometry: { rows: 256, cols: 256 }, noiseLevel: 0 },
    tilesTotal: 32,
    tilesFree: i % 33,
    throughputGflopPerSecond: 1,
    queueDepth: 0,
    reachability: 'public',
    natKind: 'none',
    addresses: FILLER_ADDRESSES,
    sequence: now,
    issuedAtMs: now,
    expiresAtMs: now + 9 * 60_000
  }, key)
  return { peer, value }
}

/** `count` PUTs from one client, one after the other; counts what the victim answered. */
async function floodFrom (client: TesseraNode, victim: PeerId, count: number, first: number): Promise<{ accepted: number, refused: number }> {
  let accepted = 0
  let refused = 0
  for (let i = 0; i < count; i++) {
    const { peer, value } = await throwAwayRecord(first + i)
    try {
      for await (const event of client.libp2p.services.dht.put(capacityRecordKey(peer), value, { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE' && event.from.equals(victim)) accepted++
        if (event.name === 'QUERY_ERROR' && event.from.equals(victim)) refused++
      }
    } catch {
      // The put as a whole failing (no peer took it) is already counted per peer above.
    }
  }
  return { accepted, refused }
}

export async function runFloodBench (records: number, senders: number, parts: number, bounds: FloodRun['bounds'], onProgress: (note: string) => void): Promise<FloodRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-flood-'))
  const victim = new Victim(dataDir, bounds)
  const nodes: TesseraNode[] = []
  try {
    const listening = await victim.next('listening')
    const victimId = peerIdFromString(listening.peerId)
    const bootstrap = [listening.addrs[0]]
    const honest = await createTesseraNode({ network: 'local', device: 'ideal', tiles: 2, calibrate: false, recordTtlMs: 60_000, recordRefreshMs: 2_000, bootstrap })
    nodes.push(honest)
    // Two acknowledged publications: the victim holds the honest record and has seen it renewed.
    await new Promise<void>((resolve) => {
      let acked = 0
      honest.addEventListener('record:published', (evt) => { if (evt.detail.peersAcked > 0 && ++acked === 2) resolve() })
    })
    const checkpoint = async (recordsSent: number): Promise<FloodCheckpoint> => {
      const { rssBytes, heapUsedBytes, dhtStore } = await victim.stats()
      const point = { recordsSent, rssBytes, heapUsedBytes, datastoreBytes: await directoryBytes(join(dataDir, DATASTORE_DIR)), dhtStore }
      onProgress(`${recordsSent} records sent: victim holds ${dhtStore.records}, RSS ${mib(rssBytes)}, heap ${mib(heapUsedBytes)}, datastore ${mib(point.datastoreBytes)}`)
      return point
    }
    const checkpoints = [await checkpoint(0)]
    const clients = await Promise.all(Array.from({ length: senders }, async () => await createTesseraNode({ ...CLIENT, bootstrap })))
    nodes.push(...clients)
    let accepted = 0
    let refused = 0
    let sent = 0
    const startMs = performance.now()
    for (let part = 1; part <= parts; part++) {
      const partEnd = Math.round(records * part / parts)
      const share = Math.ceil((partEnd - sent) / senders)
      const outcomes = await Promise.all(clients.map(async (c, i) => {
        const first = sent + i * share
        return await floodFrom(c, victimId, Math.max(0, Math.min(share, partEnd - first)), first)
      }))
      for (const o of outcomes) { accepted += o.accepted; refused += o.refused }
      sent = partEnd
      checkpoints.push(await checkpoint(sent))
    }
    const floodMs = performance.now() - startMs
    const honestRecordHeld = await victim.holds(honest.peerId)
    const ownRecordHeld = await victim.holds(victimId)
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
    await victim.stop()
    return {
      bounds,
      records,
      senders,
      floodMs: Math.round(floodMs),
      acceptedByVictim: accepted,
      refusedByVictim: refused,
      checkpoints,
      datastoreBytesStopped: await directoryBytes(join(dataDir, DATASTORE_DIR)),
      honestRecordHeld,
      ownRecordHeld
    }
  } finally {
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
    await victim.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

function positiveInteger (value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`)
  return n
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`

function describeRun (r: FloodRun): string {
  return [
    `bounds ${r.bounds.maxRecords} records, ${r.bounds.maxRecordsPerPeer} per sender: ${r.records} records from throw-away keys by ${r.senders} senders in ${(r.floodMs / 1000).toFixed(1)} s ` +
      `(${r.acceptedByVictim} acknowledged by the victim, ${r.refusedByVictim} refused)`,
    ...r.checkpoints.map((c) => `  after ${c.recordsSent}: ${c.dhtStore.records} records held (${c.dhtStore.evicted} evicted), RSS ${mib(c.rssBytes)}, heap ${mib(c.heapUsedBytes)}, datastore ${mib(c.datastoreBytes)}`),
    `  datastore once stopped ${mib(r.datastoreBytesStopped)}; honest record held: ${r.honestRecordHeld ? 'yes' : 'NO'}, own record held: ${r.ownRecordHeld ? 'yes' : 'NO'}`
  ].join('\n')
}

export function registerDhtFloodCommand (program: Command): void {
  program
    .command('dht-flood')
    .description('loopback: valid records from throw-away keys PUT straight to a node; its memory, datastore and DHT store before and after')
    .option('--json', 'print {"dhtFlood":[…]} to stdout instead of text')
    .option('--records <n>', 'records in the flood', positiveInteger, DEFAULT_RECORDS)
    .option('--senders <n>', 'DHT clients sending them', positiveInteger, DEFAULT_SENDERS)
    .option('--checkpoints <n>', 'equal parts of the flood, the victim measured after each', positiveInteger, DEFAULT_CHECKPOINTS)
    .option('--unbounded', 'also run against a victim whose record bounds are out of reach, for comparison')
    .action(async (opts: { json?: boolean, records: number, senders: number, checkpoints: number, unbounded?: boolean }) => {
      const runs: FloodRun[] = []
      runs.push(await runFloodBench(opts.records, opts.senders, opts.checkpoints, { maxRecords: MAX_DHT_RECORDS, maxRecordsPerPeer: MAX_DHT_RECORDS_PER_PEER }, progressNote))
      if (opts.unbounded === true) runs.push(await runFloodBench(opts.records, opts.senders, opts.checkpoints, { maxRecords: UNBOUNDED, maxRecordsPerPeer: UNBOUNDED }, progressNote))
      process.stdout.write((opts.json === true ? JSON.stringify({ dhtFlood: runs }) : runs.map(describeRun).join('\n')) + '\n')
    })
}
