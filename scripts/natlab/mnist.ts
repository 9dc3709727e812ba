/**
 * The MNIST MLP through the lab's tessera network: `tessera run` — the coordinator, a real process — on a public lab
 * host bootstraps from the relay, discovers the serving nodes (the NATed ones through their circuit addresses),
 * places the MLP's shards with one policy and streams the MNIST-subset digits through them. Its `--json` line is read
 * back and each peer is named by the lab host it runs on.
 */
import { fileURLToPath } from 'node:url'
import { CommandFailedError, InvalidTopologyError } from './errors.js'
import { tesseraBinArgv } from './tessera.js'
import type { Lab } from './lab.js'
import type { LabNetwork } from './lab-network.js'
import type { TesseraProcess } from './tessera.js'

/** The repository's trained-model cache (the demo's and the tests'), so a checkout trains the MLP at most once. */
export const MNIST_MODEL_CACHE_DIR = fileURLToPath(new URL('../../../reports/cache/models', import.meta.url))
/** Every digit of the 2,000-digit MNIST subset once. */
export const DEFAULT_MNIST_REQUESTS = 2000
/**
 * round-robin hands each peer a shard in turn, whatever its path: with at least as many shards as peers (the MLP
 * cuts into ≥ 4 on 256×256 tiles) every NATed peer takes part. The NAT-aware `tessera` policy may leave them idle.
 */
export const DEFAULT_MNIST_POLICY = 'round-robin'
/** Bound on one `tessera run`: model load (training, if the cache is empty), discovery, programming, requests. */
export const DEFAULT_MNIST_RUN_TIMEOUT_MS = 120_000
/** How long `tessera run` looks for the peers. */
const DISCOVERY_TIMEOUT_MS = 30_000

/** One peer of the run. */
export interface MnistRunPeer {
  peerId: string
  /** The lab host it runs on (`relay`, `pub2`, `cone1-a`, …), or its peer id when it is none of the network's. */
  host: string
  /** From its capacity record. */
  reachability: string
  natKind: string
  /** How the coordinator reached it when it found it, and the best path of its connections after the run. */
  path: string
  pathAfterRun: string | null
  shards: number
  calls: number
}

/** The `tessera run --json` metrics of one run, peers named by host. */
export interface MnistRun {
  /** The coordinator's host. */
  host: string
  policy: string
  /** Exit code of `tessera run` (1 when requests were lost). */
  exitCode: number | null
  requests: number
  answered: number
  requestsLost: number
  requestsDuplicated: number
  /** null when nothing was answered. */
  accuracy: number | null
  floatAccuracy: number
  throughputRps: number
  latencyP50Ms: number
  latencyP95Ms: number
  failedCalls: number
  replacements: number
  discoveryMs: number
  durationMs: number
  peers: MnistRunPeer[]
}

export interface MnistRunInit {
  /** Lab host of the coordinator, public or behind a NAT (default `pub1`). */
  host?: string
  /** Placement policy (default {@link DEFAULT_MNIST_POLICY}). */
  policy?: string
  /** Requests (default {@link DEFAULT_MNIST_REQUESTS}). */
  requests?: number
  /** Seed of request order, placement randomness and device programming (default `natlab-mnist`). */
  seed?: string
  /** Peers to wait for (default: the relay and every server of the network). */
  minPeers?: number
  /** Model cache (default {@link MNIST_MODEL_CACHE_DIR}). */
  cacheDir?: string
  /** Bound on the whole process (default {@link DEFAULT_MNIST_RUN_TIMEOUT_MS}); it is killed after that. */
  timeoutMs?: number
}

/** The serving nodes of a lab network by host: the relay (it serves tiles too) and the servers. */
export function servingNodes (network: LabNetwork): Array<[string, TesseraProcess]> {
  return [['relay', network.relay], ...Object.entries(network.servers)]
}

/** What a host's record should say once its node has classified itself: public hosts public, LAN hosts their NAT. */
export function expectedClassification (lab: Lab, host: string): { reachability: string, natKind: string } {
  const nat = lab.hosts[host].nat
  return nat === undefined ? { reachability: 'public', natKind: 'none' } : { reachability: 'private', natKind: nat }
}

/**
 * Waits until every serving node has published a capacity record with its settled classification that at least
 * one DHT peer stored. A node's first record is signed before AutoNAT or the NAT classifier has spoken
 * (`unknown`); a coordinator that read it would place on what the node did not yet know of itself.
 */
export async function waitForClassifiedRecords (lab: Lab, network: LabNetwork, timeoutMs: number): Promise<void> {
  await Promise.all(servingNodes(network).map(async ([host, node]) => {
    const { reachability, natKind } = expectedClassification(lab, host)
    await node.waitFor('record-published', timeoutMs, (l) => l.reachability === reachability && l.natKind === natKind && Number(l.peersAcked) > 0)
  }))
}

/** Runs `tessera run --json` on a lab host against the network's relay and returns its metrics. */
export async function runMnist (lab: Lab, network: LabNetwork, init: MnistRunInit = {}): Promise<MnistRun> {
  const host = init.host ?? 'pub1'
  const role = lab.hosts[host]?.role
  if (role !== 'public' && role !== 'lan') throw new InvalidTopologyError(`the coordinator runs on a public or LAN host of the lab, not on ${host} (${String(role)})`)
  const policy = init.policy ?? DEFAULT_MNIST_POLICY
  const requests = init.requests ?? DEFAULT_MNIST_REQUESTS
  if (!Number.isSafeInteger(requests) || requests < 1) throw new InvalidTopologyError(`MNIST requests must be a positive integer, got ${requests}`)
  const argv = [
    ...tesseraBinArgv(), 'run', '--bootstrap', network.relayAddr, '--json', '--policy', policy,
    '--min-peers', String(init.minPeers ?? servingNodes(network).length), '--requests', String(requests),
    '--seed', init.seed ?? 'natlab-mnist', '--cache-dir', init.cacheDir ?? MNIST_MODEL_CACHE_DIR, '--timeout-ms', String(DISCOVERY_TIMEOUT_MS)
  ]
  const run = await lab.run(host, argv, { timeoutMs: init.timeoutMs ?? DEFAULT_MNIST_RUN_TIMEOUT_MS })
  // `tessera run --json` prints one line, its metrics, also when it exits 1 because requests were lost.
  const line = run.stdout.trim().split('\n').at(-1) ?? ''
  let json: Record<string, unknown>
  try {
    json = JSON.parse(line) as Record<string, unknown>
  } catch {
    throw new CommandFailedError(argv, run.code, run.stderr.slice(-2000), `tessera run in ${host} printed no metrics (exit ${String(run.code)}): ${run.stderr.trim().slice(-2000)}`)
  }
  if (!Array.isArray(json.placement)) throw new CommandFailedError(argv, run.code, run.stderr.slice(-2000), `tessera run in ${host} printed metrics without their per-peer placement: ${line.slice(0, 500)}`)
  const hostOf = new Map(servingNodes(network).map(([h, node]) => [node.peerId, h]))
  const placement = json.placement as Array<Omit<MnistRunPeer, 'host'>>
  return {
    host,
    policy: String(json.policy),
    exitCode: run.code,
    requests: Number(json.requests),
    answered: Number(json.answered),
    requestsLost: Number(json.requestsLost),
    requestsDuplicated: Number(json.requestsDuplicated),
    accuracy: json.accuracy === null ? null : Number(json.accuracy),
    floatAccuracy: Number(json.floatAccuracy),
    throughputRps: Number(json.throughputRps),
    latencyP50Ms: Number(json.latencyP50Ms),
    latencyP95Ms: Number(json.latencyP95Ms),
    failedCalls: Number(json.failedCalls),
    replacements: Number(json.replacements),
    discoveryMs: Number(json.discoveryMs),
    durationMs: Number(json.durationMs),
    peers: placement.map((p) => ({ ...p, host: hostOf.get(p.peerId) ?? p.peerId }))
  }
}

/** Peers that held shards, counted by the path the coordinator found them on. */
export function peersByPath (run: Pick<MnistRun, 'peers'>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const p of run.peers) if (p.shards > 0) counts[p.path] = (counts[p.path] ?? 0) + 1
  return counts
}

/** One line about a run, for logs. */
export function describeMnistRun (run: MnistRun): string {
  const peers = run.peers.map((p) => `${p.host} (${p.natKind === 'none' ? p.reachability : `${p.natKind} NAT`}): ${p.shards} shard(s), ${p.calls} calls, ${p.path}→${String(p.pathAfterRun)}`)
  return `${run.policy}: ${run.answered}/${run.requests} answered, ${run.requestsLost} lost, ${run.requestsDuplicated} duplicated, accuracy ${String(run.accuracy)} (float ${run.floatAccuracy}), ${run.throughputRps.toFixed(0)} req/s, shard p50/p95 ${run.latencyP50Ms.toFixed(1)}/${run.latencyP95Ms.toFixed(1)} ms, discovery ${run.discoveryMs.toFixed(0)} ms; ${peers.join('; ')}`
}
