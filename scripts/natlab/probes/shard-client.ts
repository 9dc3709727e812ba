/**
 * A one-shot tessera client for the NAT lab's traversal matrix, run inside a lab namespace: it starts a client-only
 * tessera node (fresh identity and ports), dials the target (a public address, or `<relay>/p2p-circuit/p2p/<id>`),
 * programs a seeded block and executes one batch on it (the first shard result), lets the path settle (the hole
 * punch of NATed pairs), programs a second block on the settled path to time the upload, releases both and exits.
 *
 *   shard-client.js --target MULTIADDR --seed S [--rows 512] [--cols 512] [--settle-ms 8000] [--local PRESET]
 *                   [--relay MULTIADDR [--self-settle-ms 5000]]
 *
 * stdout: one JSON line `{"event":"result",…}` (see {@link ClientResult}). `--local PRESET` also runs the same
 * program and execute on an in-process executor of that device preset and reports whether the outputs are equal.
 * `--relay` bootstraps from the relay and waits (bounded) until the node knows its reachability and NAT kind.
 */
import { createHash } from 'node:crypto'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { createDeviceProfile, createRng } from '@tessera/crossbar'
import { isPeerId } from '@libp2p/interface'
import { UnpredictableMappingError } from '@tessera/holepunch'
import { createTesseraNode, DEFAULT_TILES, ShardClient, WorkerExecutor } from '@tessera/peer'
import { emit, SHARD_CLIENT_SETTLE_MS } from './common.js'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { PresetName } from '@tessera/crossbar'
import type { ExecuteResultReply } from '@tessera/wire'
import type { TesseraNode } from '@tessera/peer'

/** What the client reports. Times are from the start of the dial (ms). */
export interface ClientResult {
  event: 'result'
  connected: boolean
  /** The first connection went through a relay. */
  relayed?: boolean
  /** The settled path (what new streams to the peer use) is a direct connection. */
  direct?: boolean
  connectMs?: number
  firstResultMs?: number
  /** Time until a direct connection existed (absent when none did). */
  directMs?: number
  uploadMiBps?: number
  /** sha256 of the first execute's output bytes. */
  outputSha256?: string
  /** With --local: the in-process executor's output equals the remote one bit for bit. */
  matchesLocal?: boolean
  /** Hole-punch failures this side saw (code: message). */
  punchFailures?: string[]
  /** The first exchange failed because the relayed connection was closed under it, and was repeated once. */
  retriedAfterUpgrade?: string
  /** When the first connection closed, if it did before the end (ms from the dial). */
  firstConnectionClosedMs?: number
  /** Connections to the server opened during the attempt, the first one included. */
  connectionsOpened?: number
  error?: { name: string, code?: string, message: string }
}

/** Bound on learning our own reachability from the relay before dialling (see --relay). */
const DEFAULT_SELF_SETTLE_MS = 5000
const DIAL_TIMEOUT_MS = 20_000
const POLL_MS = 50
/** How long a client whose relayed connection was closed under it waits for the direct one before retrying. */
const UPGRADE_WAIT_MS = 3000
const BATCH = 1

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    seed: { type: 'string', default: '1' },
    rows: { type: 'string', default: '512' },
    cols: { type: 'string', default: '512' },
    'settle-ms': { type: 'string', default: String(SHARD_CLIENT_SETTLE_MS) },
    local: { type: 'string' },
    relay: { type: 'string' },
    'self-settle-ms': { type: 'string', default: String(DEFAULT_SELF_SETTLE_MS) }
  }
})
if (values.target === undefined) throw new Error('--target is required')
const rows = Number(values.rows)
const cols = Number(values.cols)
const settleMs = Number(values['settle-ms'])
const seed = values.seed ?? '1'

function block (label: string, length: number): Float32Array {
  const rng = createRng(`${seed}/${label}`)
  const out = new Float32Array(length)
  for (let i = 0; i < length; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

const isRelayed = (c: Connection): boolean => c.remoteAddr.getComponents().some((p) => p.name === 'p2p-circuit')
const directOf = (node: TesseraNode, peer: PeerId): Connection | undefined =>
  node.libp2p.getConnections(peer).find((c) => c.status === 'open' && !isRelayed(c))

/**
 * libp2p reuses an existing connection for `dialProtocol(peer)` only when it is unlimited, and a relayed connection
 * counts as limited even with the relay's raised limits: every request then dials the peer through the relay again
 * (libp2p drops the duplicate afterwards), and when that extra dial fails — in the lab it did, 1 to 5 times in 10
 * on symmetric pairs — the request fails although a working connection is open. The client's streams go over the
 * open connection instead: direct when there is one, else relayed.
 */
function reusingConnections (libp2p: Libp2p): Libp2p {
  const dialProtocol: Libp2p['dialProtocol'] = async (target, protocols, options) => {
    if (isPeerId(target)) {
      const open = libp2p.getConnections(target).filter((c) => c.status === 'open')
      const best = open.find((c) => !isRelayed(c)) ?? open[0]
      if (best !== undefined) return await best.newStream(protocols, options)
    }
    return await libp2p.dialProtocol(target, protocols, options)
  }
  return new Proxy(libp2p, { get: (target, key, receiver) => key === 'dialProtocol' ? dialProtocol : Reflect.get(target, key, receiver) as unknown })
}

const result: ClientResult = { event: 'result', connected: false }
const node = await createTesseraNode({ serve: false, network: 'public', listen: ['/ip4/0.0.0.0/tcp/0'], bootstrap: values.relay === undefined ? [] : [values.relay] })
if (values.relay !== undefined) {
  // A volunteer's node has long learnt what it is when it first calls a peer: a public one is verified (so a NATed
  // peer's DCUtR can dial it back directly), a NATed one knows its NAT. This fresh process learns it first from
  // the relay, within a bound.
  const deadline = performance.now() + Number(values['self-settle-ms'])
  const settled = (): boolean => node.natKind() !== 'unknown' && (node.natKind() !== 'none' || node.reachability() === 'public')
  while (!settled() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
}
const punchFailures: string[] = []
let unpredictable = false
node.libp2p.services.holePunch?.addEventListener('hole-punch:failure', (evt) => {
  punchFailures.push(`${evt.detail.error.code}: ${evt.detail.error.message}`)
  // Only a port-rewriting NAT ends the wait early: other failures may still be retried by the starter.
  if (evt.detail.error.code === UnpredictableMappingError.code) unpredictable = true
})
const weightsA = block('a', rows * cols)
const weightsB = block('b', rows * cols)
const input = block('x', BATCH * rows)
const shardA = `natlab/${seed}/a`
const shardB = `natlab/${seed}/b`
try {
  const started = performance.now()
  const connection = await node.libp2p.dial(multiaddr(values.target), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
  result.connectMs = performance.now() - started
  result.connected = true
  result.relayed = isRelayed(connection)
  const peer = connection.remotePeer
  let directAt: number | undefined = result.relayed ? undefined : result.connectMs
  const onOpen = (evt: CustomEvent<Connection>): void => {
    if (evt.detail.remotePeer.equals(peer)) result.connectionsOpened = (result.connectionsOpened ?? 1) + 1
    if (directAt === undefined && evt.detail.remotePeer.equals(peer) && !isRelayed(evt.detail)) directAt = performance.now() - started
  }
  node.libp2p.addEventListener('connection:open', onOpen)
  const onClose = (evt: CustomEvent<Connection>): void => {
    if (evt.detail.id === connection.id) result.firstConnectionClosedMs ??= performance.now() - started
  }
  node.libp2p.addEventListener('connection:close', onClose)
  const client = new ShardClient(reusingConnections(node.libp2p), peer)
  // Stock DCUtR's unilateral upgrade (a NATed server dialling a public client back) closes the relayed connection
  // as soon as the direct one is up, with our streams on it: the exchange is repeated once on the new path, as any
  // tessera client must do when a connection drops under a request.
  const firstExchange = async (): Promise<ExecuteResultReply> => {
    await client.program({ shardId: shardA, weights: weightsA, rows, cols, seed })
    return await client.execute({ shardId: shardA, input, batch: BATCH })
  }
  let first: ExecuteResultReply
  try {
    first = await firstExchange()
  } catch (err) {
    // The stream's end may be seen before the connection's close, and the direct connection that replaced it may
    // still be finishing its upgrade: give both a moment before deciding.
    const upgradeBy = performance.now() + UPGRADE_WAIT_MS
    while ((connection.status === 'open' || directOf(node, peer) === undefined) && performance.now() < upgradeBy) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    if (connection.status === 'open') throw err
    result.retriedAfterUpgrade = `${(err as Error).name}: ${(err as Error).message}`
    // The upload may have been committed before the connection dropped.
    await client.release(shardA).catch(() => {})
    first = await firstExchange()
  }
  result.firstResultMs = performance.now() - started
  result.outputSha256 = createHash('sha256').update(new Uint8Array(first.output.buffer, first.output.byteOffset, first.output.byteLength)).digest('hex')
  // The hole punch runs beside the first exchange; give it until the settle deadline, unless it cannot succeed.
  const settleBy = performance.now() + settleMs
  while (result.relayed && directOf(node, peer) === undefined && !unpredictable && performance.now() < settleBy) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  node.libp2p.removeEventListener('connection:open', onOpen)
  // libp2p opens new streams on an open direct connection when there is one. (dial(peer) is no way to ask: it
  // does not reuse a relayed connection, which counts as limited even with raised limits, and dials anew.)
  result.direct = directOf(node, peer) !== undefined
  if (directAt !== undefined) result.directMs = directAt
  const uploadStarted = performance.now()
  await client.program({ shardId: shardB, weights: weightsB, rows, cols, seed })
  result.uploadMiBps = (weightsB.byteLength / (1 << 20)) / ((performance.now() - uploadStarted) / 1000)
  await client.release(shardA)
  await client.release(shardB)
  if (values.local !== undefined) {
    // The --local executor has the node's default pool.
    const executor = await WorkerExecutor.start({ profile: createDeviceProfile(values.local as PresetName), tiles: DEFAULT_TILES, calibrate: false })
    try {
      await executor.reserve(shardA, rows, cols)
      await executor.program(shardA, weightsA.slice(), seed)
      const local = await executor.execute(shardA, input.slice(), BATCH)
      result.matchesLocal = local.output.length === first.output.length && local.output.every((v, i) => Object.is(v, first.output[i]))
    } finally {
      await executor.stop()
    }
  }
} catch (err) {
  const e = err as Error & { code?: string }
  const causes = err instanceof AggregateError ? `: ${err.errors.map((c: Error) => `${c.name}: ${c.message}`).join('; ')}` : ''
  result.error = { name: e?.name ?? 'Error', code: typeof e?.code === 'string' ? e.code : undefined, message: (e?.message ?? String(err)) + causes }
} finally {
  result.punchFailures = punchFailures
  await node.stop()
}
emit(result)
process.exit(0)
