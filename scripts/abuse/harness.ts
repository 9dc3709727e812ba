/**
 * The hostile-client suite: a real `tessera node` (the CLI, in a child process) on 127.0.0.1, an honest client in
 * this process that keeps programming and executing, and each attack of `attacks.ts` run by `attacker.ts` in a
 * process of its own with its own node and key. Per attack: the honest client alone for `baselineMs`, then under
 * the attack for `attackMs`; the node's resident memory is sampled throughout. The node applies the public
 * connection limits to loopback (`--limit-loopback`), so a flood from 127.0.0.1 meets them as one from the internet
 * would; it prints every peer it connects to and loses, from which the suite counts the peers it holds at once.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MAX_CAPACITY_RECORD_LIFETIME_MS, capacityRecordKey, signCapacityRecord, verifyCapacityRecord } from '@tessera/memory'
import { VOLUNTEER_CONNECTION_LIMITS, createTesseraNode } from '@tessera/peer'
import { isTransientRefusal } from '@tessera/wire'
import type { ShardClient, TesseraNode } from '@tessera/peer'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AttackStats } from './attacks.js'
import { getValueFrom, putValueTo } from './kad-wire.js'

/** One row of `npm run bench -- abuse --json`. */
export interface AbuseRow {
  attack: string
  /** Honest calls (executes and uploads) made while the attack ran. */
  honestCalls: number
  honestFailures: number
  /** p95 of the honest client's call latency under the attack ÷ its p95 just before, alone. */
  honestP95Ratio: number
  /** Highest resident set of the node during the attack minus before it, MiB. */
  rssGrowthMiB: number
  /** The node's RSS just before the attack and once it and the honest calls under it have ended, MiB. */
  rssBeforeMiB: number
  rssAfterMiB: number
  nodeAlive: boolean
  /** Most peers the node held connections to at once during the attack (from its peer-connect/-disconnect lines). */
  peakPeersConnected: number
  /** After the attack, whether the node still serves a valid capacity record of its own and the honest client's. */
  ownRecordHeld: boolean
  honestRecordHeld: boolean
  /** The attacker's own counters. */
  stats: AttackStats
}

/** The connection limits of the suite's node: the volunteer's, with room for few connections so a flood meets the cap. */
export const SUITE_CONNECTION_LIMITS = { ...VOLUNTEER_CONNECTION_LIMITS, maxConnections: 8 }

export interface AbuseSuiteOptions {
  attacks: readonly string[]
  baselineMs: number
  attackMs: number
  /** The node's tiles and per-peer tile quota (the quota is given explicitly: the node runs on `local`). */
  tiles?: number
  maxTilesPerPeer?: number
}

const HERE = fileURLToPath(new URL('.', import.meta.url))
const CLI = join(HERE, '../../../packages/cli/bin/tessera.js')
const ATTACKER = join(HERE, 'attacker.js')
const SIDE = 256
/** Shards the honest client keeps programmed; the attackers are told their ids. */
const HONEST_SHARDS = ['honest/run/0', 'honest/run/1']
/** Most retries of one honest call refused as "later" (BUSY, streams or executes in flight), as a coordinator does. */
const HONEST_TRANSIENT_RETRIES = 20

/** Resident set of a process, MiB (Linux /proc). */
async function rssMiB (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
  return kb / 1024
}

function p95 (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN
}

/** The peers the node reports being connected to, and the most at once since the last {@link ConnectedPeers.resetPeak}. */
class ConnectedPeers {
  private readonly peers = new Set<string>()
  peak = 0

  onLine (line: { event?: string, peerId?: string }): void {
    if (line.peerId === undefined) return
    if (line.event === 'peer-connect') this.peers.add(line.peerId)
    else if (line.event === 'peer-disconnect') this.peers.delete(line.peerId)
    this.peak = Math.max(this.peak, this.peers.size)
  }

  resetPeak (): void {
    this.peak = this.peers.size
  }
}

interface StartedNode {
  child: ChildProcessWithoutNullStreams
  addr: string
  peerId: string
  connected: ConnectedPeers
}

/** Starts `tessera node --json` and resolves with the child and its first address once it listens. */
async function startNode (dataDir: string, tiles: number, maxTilesPerPeer: number): Promise<StartedNode> {
  const child = spawn(process.execPath, [
    CLI, 'node', '--network', 'local', '--limit-loopback', '--max-connections', String(SUITE_CONNECTION_LIMITS.maxConnections),
    '--device', 'ideal', '--tiles', String(tiles), '--max-tiles-per-peer', String(maxTilesPerPeer), '--data-dir', dataDir, '--json'
  ], { stdio: 'pipe' })
  child.stderr.resume()
  const connected = new ConnectedPeers()
  return await new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => { reject(new Error('tessera node did not start within 30 s')) }, 30_000)
    child.on('exit', (code) => { reject(new Error(`tessera node exited with code ${code} before listening`)) })
    child.stdout.on('data', (d) => {
      buffer += String(d)
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const text of lines) {
        if (!text.startsWith('{')) continue
        const line = JSON.parse(text) as { event?: string, peerId?: string, addrs?: string[] }
        connected.onLine(line)
        if (line.event !== 'listening' || line.peerId === undefined || line.addrs === undefined) continue
        clearTimeout(timer)
        const { peerId, addrs } = line
        resolve({ child, addr: addrs[0].includes('/p2p/') ? addrs[0] : `${addrs[0]}/p2p/${peerId}`, peerId, connected })
      }
    })
  })
}

/** A valid capacity record of the honest client's, which the node should keep serving whatever the attacks. */
async function honestRecord (key: PrivateKey): Promise<Uint8Array> {
  const nowMs = Date.now()
  return await signCapacityRecord({
    peerId: peerIdFromPrivateKey(key).toString(),
    device: { preset: 'ideal', geometry: { rows: SIDE, cols: SIDE }, noiseLevel: 0 },
    tilesTotal: 0,
    tilesFree: 0,
    throughputGflopPerSecond: 0,
    queueDepth: 0,
    reachability: 'private',
    natKind: 'unknown',
    addresses: [],
    sequence: 1,
    issuedAtMs: nowMs,
    expiresAtMs: nowMs + MAX_CAPACITY_RECORD_LIFETIME_MS
  }, key)
}

/** Whether `target` serves a valid capacity record of `peerId` (read by GET_VALUE, checked as a reader would). */
async function servesRecordOf (node: Libp2p, target: Multiaddr, peerId: string): Promise<boolean> {
  const key = capacityRecordKey(peerId)
  try {
    const value = await getValueFrom(node, target, key, AbortSignal.timeout(10_000))
    if (value === undefined) return false
    return (await verifyCapacityRecord(key, value, Date.now())).peerId === peerId
  } catch {
    return false
  }
}

/** Runs `attack` in a process of its own; resolves with its counters once it exits. */
async function runAttacker (attack: string, addr: string, attackMs: number): Promise<AttackStats> {
  const child = spawn(process.execPath, [ATTACKER, attack, addr, String(attackMs), ...HONEST_SHARDS], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => { out += String(d) })
  child.stderr.on('data', (d) => { err += String(d) })
  const kill = setTimeout(() => { child.kill('SIGKILL') }, attackMs + 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(kill)
  const line = out.trim().split('\n').pop() ?? ''
  if (code !== 0 || line === '') throw new Error(`attacker ${attack} exited with ${code}: ${err.slice(-2000)}`)
  return (JSON.parse(line) as { stats: AttackStats }).stats
}

/** The honest client: executes on its shards, and an upload of a fresh shard every 10th call. */
class HonestClient {
  private n = 0
  private readonly input = new Float32Array(8 * SIDE).fill(0.5)
  private readonly weights = new Float32Array(SIDE * SIDE).fill(0.125)
  constructor (private readonly client: ShardClient) {}

  async setUp (): Promise<void> {
    for (const shardId of HONEST_SHARDS) await this.client.program({ shardId, weights: this.weights, rows: SIDE, cols: SIDE, seed: 1 })
  }

  /** Calls until `signal` aborts; resolves with each call's latency (ms) and the failures. */
  async run (signal: AbortSignal): Promise<{ latenciesMs: number[], failures: string[] }> {
    const latenciesMs: number[] = []
    const failures: string[] = []
    while (!signal.aborted) {
      const i = this.n++
      const start = performance.now()
      try {
        await this.retrying(async () => {
          if (i % 10 === 9) {
            await this.client.program({ shardId: 'honest/extra', weights: this.weights, rows: SIDE, cols: SIDE, seed: 2 })
            await this.client.release('honest/extra')
          } else {
            await this.client.execute({ shardId: HONEST_SHARDS[i % HONEST_SHARDS.length], input: this.input, batch: 8 })
          }
        })
        latenciesMs.push(performance.now() - start)
      } catch (err) {
        failures.push(`${(err as Error).name}: ${(err as Error).message}`)
      }
    }
    return { latenciesMs, failures }
  }

  private async retrying (call: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await call()
        return
      } catch (err) {
        if (!isTransientRefusal(err) || attempt >= HONEST_TRANSIENT_RETRIES) throw err
        await new Promise((resolve) => setTimeout(resolve, 5 * (attempt + 1)))
      }
    }
  }
}

/** Runs the suite; rows in the order of `options.attacks`. The node is one for the whole suite. */
export async function runAbuseSuite (options: AbuseSuiteOptions): Promise<AbuseRow[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-abuse-'))
  const { child, addr, peerId, connected } = await startNode(dataDir, options.tiles ?? 16, options.maxTilesPerPeer ?? 8)
  let honestNode: TesseraNode | undefined
  const rows: AbuseRow[] = []
  try {
    const honestKey = await generateKeyPair('Ed25519')
    honestNode = await createTesseraNode({ network: 'local', serve: false, privateKey: honestKey })
    const target = multiaddr(addr)
    const client = honestNode.shardClient(target, { timeoutMs: 30_000 })
    const honest = new HonestClient(client)
    await honest.setUp()
    if (!await putValueTo(honestNode.libp2p, target, capacityRecordKey(honestNode.peerId), await honestRecord(honestKey), AbortSignal.timeout(10_000))) {
      throw new Error('the node refused the honest client\'s capacity record')
    }
    for (const attack of options.attacks) {
      const baseline = await honest.run(AbortSignal.timeout(options.baselineMs))
      connected.resetPeak()
      const rssBefore = await rssMiB(child.pid as number)
      let rssMax = rssBefore
      const sampler = setInterval(() => { void rssMiB(child.pid as number).then((r) => { rssMax = Math.max(rssMax, r) }, () => {}) }, 100)
      const attacked = new AbortController()
      const honestRun = honest.run(attacked.signal)
      let stats: AttackStats
      try {
        stats = await runAttacker(attack, addr, options.attackMs)
      } finally {
        attacked.abort()
        clearInterval(sampler)
      }
      const underAttack = await honestRun
      const rssAfter = await rssMiB(child.pid as number)
      const nodeAlive = child.exitCode === null && await client.status().then(() => true, () => false)
      const peakPeersConnected = connected.peak
      rows.push({
        attack,
        honestCalls: underAttack.latenciesMs.length + underAttack.failures.length,
        honestFailures: underAttack.failures.length + baseline.failures.length,
        honestP95Ratio: p95(underAttack.latenciesMs) / p95(baseline.latenciesMs),
        rssGrowthMiB: Math.max(0, rssMax - rssBefore),
        rssBeforeMiB: rssBefore,
        rssAfterMiB: rssAfter,
        nodeAlive,
        peakPeersConnected,
        ownRecordHeld: await servesRecordOf(honestNode.libp2p, target, peerId),
        honestRecordHeld: await servesRecordOf(honestNode.libp2p, target, honestNode.peerId.toString()),
        stats
      })
      if (!nodeAlive) break
    }
  } finally {
    await honestNode?.stop()
    child.kill('SIGTERM')
    await new Promise((resolve) => { if (child.exitCode !== null) resolve(null); else child.once('exit', resolve) })
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}
