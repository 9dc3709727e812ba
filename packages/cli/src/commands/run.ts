/**
 * `tessera run`: joins an existing network as a client, discovers its peers, runs the MNIST MLP through them
 * for N requests under one placement policy, and prints the run's metrics.
 */
import { uploadProgressBar } from '../progress.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { POLICY_NAMES } from '@tessera/scheduler'
import { formatPercent, renderTerminalTable } from '@tessera/report'
import { Option } from 'commander'
import { createCoordinator } from '@tessera/coordinator'
import { loadMnistWorkload } from '@tessera/coordinator'
import { DEFAULT_BATCH_SIZE, DEFAULT_BATCHES_IN_FLIGHT } from '@tessera/coordinator'
import { pathOfConnections } from '@tessera/coordinator'
import { join } from 'node:path'
import { createTesseraNode, loadOrCreateIdentity } from '@tessera/peer'
import { cacheDirOption } from './report-options.js'
import { BATCH_RANGE, DISCOVERABLE_PEERS_RANGE, IN_FLIGHT_RANGE, NETWORK_TIMEOUT_RANGE_MS, REQUESTS_RANGE } from './constants.js'
import { collectBootstrap, defaultDataDir, describeRange, guessNetwork, integerIn } from './options.js'
import { dashboardOption, dashboardRunOptions, trackRun, withDashboard } from '../dashboard/cli-options.js'
import type { Dashboard } from '../dashboard/dashboard.js'
import type { NatKind, Reachability } from '@tessera/memory'
import type { PathKind } from '@tessera/scheduler'
import type { PeerTarget } from '@tessera/coordinator'
import type { Command } from 'commander'

/** Default requests of `tessera run`. */
export const DEFAULT_RUN_REQUESTS = 512
/** How long `tessera run` looks for peers. */
const DEFAULT_RUN_DISCOVERY_MS = 30_000

/** One peer of a run as `tessera run --json` reports it (the `placement` array). */
export interface RunPeerSummary {
  peerId: string
  /** From the peer's capacity record. */
  reachability: Reachability
  natKind: NatKind
  /** How the coordinator reached the peer when it found it (what the placement policy saw). */
  path: PathKind
  /**
   * The best path over the peer's connections once the run ended — a relayed one may have been replaced by a direct
   * one (hole-punched, or dialled back by the NATed peer when the coordinator is public); null without a connection.
   */
  pathAfterRun: PathKind | null
  /** Shards (copies) the peer held after programming. */
  shards: number
  /** Successful shard calls the peer answered. */
  calls: number
}

/**
 * Per-peer summary of a run, sorted by peer id: every peer found, with the shards it held (from `placement`,
 * shard id → holders), the calls it answered and its path. `pathNow` reads the live path of a peer.
 */
export function summarizeRunPeers (targets: readonly PeerTarget[], placement: Readonly<Record<string, readonly string[]>>, callsByPeer: Readonly<Record<string, number>>, pathNow: (peerId: string) => PathKind | undefined): RunPeerSummary[] {
  const shards = new Map<string, number>()
  for (const holders of Object.values(placement)) for (const p of holders) shards.set(p, (shards.get(p) ?? 0) + 1)
  return [...targets].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0).map((t) => ({
    peerId: t.peerId,
    reachability: t.record.reachability,
    natKind: t.record.natKind,
    path: t.path,
    pathAfterRun: pathNow(t.peerId) ?? null,
    shards: shards.get(t.peerId) ?? 0,
    calls: callsByPeer[t.peerId] ?? 0
  }))
}

interface RunCommandOptions {
  bootstrap: string[]
  requests: number
  policy: string
  batch: number
  inFlight: number
  minPeers: number
  seed: string
  timeoutMs: number
  cacheDir: string
  dataDir: string
  json: boolean
  /** `--no-verify` sets it false. */
  verify: boolean
  dashboard?: number
}

/** `tessera run`. */
export function registerRunCommand (program: Command): void {
  program.command('run')
    .description('join a tessera network and run the MNIST MLP through its peers, printing the run\'s metrics')
    .requiredOption('--bootstrap <multiaddr>', 'peer to join the network through, ending in /p2p/<peerId> (repeatable)', collectBootstrap)
    .option('--requests <n>', `model requests (MNIST-subset digits), in ${describeRange(REQUESTS_RANGE)}`, integerIn(REQUESTS_RANGE), DEFAULT_RUN_REQUESTS)
    .addOption(new Option('--policy <name>', 'placement policy').choices([...POLICY_NAMES]).default('tessera'))
    .option('--batch <n>', `requests per batch, in ${describeRange(BATCH_RANGE)}`, integerIn(BATCH_RANGE), DEFAULT_BATCH_SIZE)
    .option('--in-flight <n>', `batches in flight, in ${describeRange(IN_FLIGHT_RANGE)}`, integerIn(IN_FLIGHT_RANGE), DEFAULT_BATCHES_IN_FLIGHT)
    .option('--min-peers <n>', `wait for at least this many peers, in ${describeRange(DISCOVERABLE_PEERS_RANGE)}`, integerIn(DISCOVERABLE_PEERS_RANGE), 1)
    .option('--seed <seed>', 'seed of request order, placement randomness and device programming', 'tessera')
    .option('--timeout-ms <ms>', `how long to look for peers, in ${describeRange(NETWORK_TIMEOUT_RANGE_MS, 'ms')}`, integerIn(NETWORK_TIMEOUT_RANGE_MS, 'ms'), DEFAULT_RUN_DISCOVERY_MS)
    .addOption(cacheDirOption())
    .option('--data-dir <dir>', 'where the coordinator keeps its key: the same key, the same PeerId, so the shards it programs stay its own across restarts (one directory per concurrent run)', join(defaultDataDir(), 'coordinator'))
    .option('--json', 'print the metrics as one JSON object on stdout', false)
    .option('--no-verify', 'do not verify answers (by default tessera checks every answer against its peer\'s device model, see docs/verification.md)')
    .addOption(dashboardOption())
    .action(async (opts: RunCommandOptions) => {
      await withDashboard(opts.dashboard, 'run', `tessera run --policy ${opts.policy}`, async (dashboard) => { await runJob(opts, dashboard) })
    })
}

async function runJob (opts: RunCommandOptions, dashboard: Dashboard | undefined): Promise<void> {
  const workload = await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: opts.seed })
  // Peers own shards by the PeerId that programmed them: a persistent key keeps them this coordinator's.
  const privateKey = await loadOrCreateIdentity(opts.dataDir)
  // A job's coordinator reads the DHT and does not serve it: as a server it would enter the nodes' routing tables for
  // the minutes of one run, draw their lookups and puts to a peer about to leave, and open connections from NATed
  // nodes to it that would stand in for the relayed paths a run is meant to use.
  const node = await createTesseraNode({ network: guessNetwork(opts.bootstrap), serve: false, dhtClientMode: true, bootstrap: opts.bootstrap, privateKey })
  await dashboard?.watchNode(node)
  const coordinator = createCoordinator({ node, uploadProgress: uploadProgressBar(!opts.json), onPeerSample: dashboard?.hooks.onPeerSample })
  try {
    const discoveryStartMs = performance.now()
    const targets = await coordinator.discover({ minPeers: opts.minPeers, timeoutMs: opts.timeoutMs })
    const discoveryMs = performance.now() - discoveryStartMs
    if (!opts.json) process.stderr.write(`${targets.length} peer(s): ${targets.map((t) => `${t.peerId.slice(-8)} ${t.record.device.preset} ${t.record.device.geometry.rows}×${t.record.device.geometry.cols} ${t.path}`).join(', ')}\n`)
    const result = await trackRun(dashboard, coordinator.run({
      job: workload.job,
      policy: opts.policy,
      inputs: workload.inputs,
      labels: workload.labels,
      requests: opts.requests,
      batchSize: opts.batch,
      batchesInFlight: opts.inFlight,
      seed: opts.seed,
      ...(opts.verify ? {} : { verify: false }),
      ...dashboardRunOptions(dashboard)
    }))
    const v = result.verification
    const m = result.metrics
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({
        policy: result.policy,
        peers: targets.length,
        requests: m.requests,
        answered: m.answered,
        throughputRps: m.throughputRps,
        latencyP50Ms: m.latencyP50Ms,
        latencyP95Ms: m.latencyP95Ms,
        memoryUtilisation: m.memoryUtilisation,
        resourceUtilisation: m.resourceUtilisation,
        accuracy: Number.isFinite(m.accuracy) ? m.accuracy : null,
        floatAccuracy: workload.floatAccuracy,
        requestsLost: m.requestsLost,
        requestsDuplicated: m.requestsDuplicated,
        shardCalls: m.shardCalls,
        failedCalls: m.failedCalls,
        replacements: m.replacements,
        durationMs: m.durationMs,
        discoveryMs,
        // Null when the run did not verify answers (--no-verify, or a baseline policy).
        verification: v === undefined ? null : { checks: v.checks, rejected: v.rejected, replications: v.replications, replicaMismatches: v.replicaMismatches, flagged: v.flagged },
        placement: summarizeRunPeers(coordinator.targets(), result.placement, m.callsByPeer, (peerId) => pathOfConnections(node.libp2p.getConnections(peerIdFromString(peerId))))
      })}\n`)
    } else {
      process.stdout.write(renderTerminalTable({
        columns: ['metric', 'value'],
        rows: [
          ['policy', result.policy], ['plan', result.planDescription], ['requests', String(m.requests)],
          ['throughput', `${m.throughputRps.toFixed(1)} req/s`], ['shard latency p50', `${m.latencyP50Ms.toFixed(1)} ms`], ['shard latency p95', `${m.latencyP95Ms.toFixed(1)} ms`],
          ['memory utilisation', formatPercent(m.memoryUtilisation)], ['resource utilisation', formatPercent(m.resourceUtilisation)],
          ['MNIST subset accuracy', Number.isFinite(m.accuracy) ? formatPercent(m.accuracy) : '—'], ['float32 accuracy', formatPercent(workload.floatAccuracy)],
          ['requests lost', String(m.requestsLost)], ['requests duplicated', String(m.requestsDuplicated)], ['failed shard calls', String(m.failedCalls)], ['re-placements', String(m.replacements)],
          ['answers checked', v === undefined ? 'verification off' : `${v.checks} (${v.rejected} rejected)`],
          ['peers flagged', v === undefined ? '—' : v.flagged.length === 0 ? '0' : v.flagged.map((f) => `${f.peerId.slice(-8)} (${f.reason})`).join(', ')]
        ],
        align: ['left', 'left']
      }))
    }
    if (m.requestsLost > 0) process.exitCode = 1
  } finally {
    await coordinator.stop()
    await node.stop()
  }
}
