/** One run of a job on a coordinator's peers: check, place, stream, measure. */
import { logger } from '@libp2p/logger'
import { createRng } from '@tessera/crossbar'
import { ShardClient } from '@tessera/peer'
import type { DhtDiscovery, TesseraNode } from '@tessera/peer'
import { peerIdFromString } from '@libp2p/peer-id'
import { AnswerSheet } from './answer-sheet.js'
import { DISCOVERY_ROUND_MS, MAX_CALL_TIMEOUT_MS } from './constants.js'
import { discoverRound } from './discovery.js'
import { NoPeersError } from './errors.js'
import { validateJob } from './job.js'
import { LiveRunContext } from './live-run-context.js'
import { liveRunOf } from './live-run.js'
import { computeRunMetrics, RunRecorder } from './metrics.js'
import { libp2pNetwork } from './peer-network.js'
import { placeJob } from './place-job.js'
import type { RunContext } from './run-context.js'
import type { RunJobOptions } from './run-options.js'
import type { RunResult } from './run-result.js'
import { streamRun } from './run-stream.js'
import { checkRunOptions } from './validate-options.js'
import { RunVerification } from './verify.js'
import type { CoordinatorSettings, RunParameters } from './validate-options.js'

const log = logger('tessera:coordinator:run')

/** What a coordinator's runs share: its node, settings and memories, the peers found and the tiles it holds. */
export interface CoordinatorState extends Pick<RunContext, 'shortTerm' | 'longTerm' | 'now' | 'emulatedDelayMs' | 'recentBusy' | 'targets' | 'tilesTaken' | 'tileCaps'> {
  node: TesseraNode
  /** Incremental discovery, kept across `discover()` and every run's rounds. */
  discovery: DhtDiscovery
  settings: CoordinatorSettings
  /** Numbers the runs that are not given a run id. */
  nextRunNumber: () => number
}

/** The context of one run over the coordinator's node. */
function newRunContext (state: CoordinatorState, params: RunParameters, runId: string): LiveRunContext {
  const { node, now, longTerm } = state
  const settings = { ...state.settings, runId, seed: params.seed }
  // Executes carry their own adaptive timeout (see health.ts); the client's bounds the other exchanges (a release
  // that timed out on a loaded host would leave the shard's tiles taken on the peer).
  const clientTimeoutMs = Math.max(settings.callTimeoutMs, MAX_CALL_TIMEOUT_MS)
  return new LiveRunContext({
    network: libp2pNetwork(node.libp2p),
    connectShards: (peerId) => new ShardClient(node.libp2p, peerIdFromString(peerId), { timeoutMs: clientTimeoutMs, programTimeoutMs: settings.programTimeoutMs }),
    policy: params.policy,
    rng: createRng(`${params.seed}/${params.policy.name}/placement`),
    settings,
    recorder: new RunRecorder(),
    shortTerm: state.shortTerm,
    longTerm,
    now,
    emulatedDelayMs: state.emulatedDelayMs,
    recentBusy: state.recentBusy,
    targets: new Map(state.targets),
    tilesTaken: state.tilesTaken,
    tileCaps: state.tileCaps,
    discover: async () => await discoverRound(node, state.discovery, state.targets, DISCOVERY_ROUND_MS, (target) => { longTerm.observe(target.peerId, { up: true }, now()) })
  })
}

/** Plans, places, programs and runs a job on the coordinator's peers; releases its shards at the end. */
export async function runJob (state: CoordinatorState, options: RunJobOptions): Promise<RunResult> {
  validateJob(options.job)
  if (state.targets.size === 0) throw new NoPeersError('call discover() before run()')
  const params = checkRunOptions(options)
  const ctx = newRunContext(state, params, options.runId ?? `${params.seed}/${params.policy.name}/${state.nextRunNumber()}`)
  const verify = options.verify ?? params.policy.name === 'tessera'
  if (verify !== false) ctx.verification = new RunVerification(verify === true ? {} : verify, options.onPeerFlagged)
  // A peer found earlier may have left: one that is not connected and does not answer a dial sits this run out.
  await Promise.all([...state.targets.keys()].map(async (peerId) => {
    if (!ctx.isConnected(peerId)) await ctx.recoverOrMarkDead(peerId)
  }))
  const { plan, assignments, views } = placeJob(ctx, options.job, params)
  log('run %s: %d shard(s) × %d placed by %s on %d peer(s): %s', ctx.settings.runId, plan.shards.length, params.replicas, params.policy.name, views.length, plan.description)
  options.onLiveRun?.(liveRunOf({ runId: ctx.settings.runId, policy: params.policy.name, planDescription: plan.description, requests: params.requests, recorder: ctx.recorder, errors: ctx.errors, shards: ctx.shards, dead: ctx.dead }))
  const classes = options.job.layers[options.job.layers.length - 1].outputs
  const sheet = new AnswerSheet(params.requests, classes)
  const { placement, started, loop, layerLoad } = await streamRun(ctx, options, params, assignments, sheet)
  // A run that stopped on time answers for the requests it started.
  const labels = options.labels === undefined ? undefined : Uint8Array.from({ length: started }, (_, i) => (options.labels as Uint8Array)[i % params.vectors])
  const outcome = sheet.firstRequests(started)
  log('run %s: %d request(s) started, %d answer(s), %d error(s)', ctx.settings.runId, started, sheet.answered, ctx.errors.length)
  return {
    policy: params.policy.name,
    planDescription: plan.description,
    metrics: computeRunMetrics(ctx.recorder, { answers: outcome.answers, predictions: outcome.predictions, labels }),
    ...outcome,
    placement,
    peers: views,
    recorder: ctx.recorder,
    errors: ctx.errors,
    events: loop?.events ?? [],
    ...(ctx.verification !== undefined ? { verification: ctx.verification.stats } : {}),
    layerLoad
  }
}
