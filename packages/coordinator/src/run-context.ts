/**
 * What one run of a job shares between placement, programming, the request pipeline, recovery and the
 * reconfiguration loop. `LiveRunContext` (live-run-context.ts) is the coordinator's; tests build their own.
 */
import type { Rng } from '@tessera/crossbar'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import type { PeerView, PlacementPolicy } from '@tessera/scheduler'
import type { PeerHealth } from './health.js'
import type { RunRecorder } from './metrics.js'
import type { PeerShards } from './peer-shards.js'
import type { PeerTarget } from './peers.js'
import type { UploadProgressFactory } from './progress.js'
import type { RecentBusy } from './recent-busy.js'
import type { RunError } from './run-errors.js'
import type { ShardState } from './shard-state.js'
import type { Slots } from './slots.js'
import type { RunVerification } from './verify.js'

/** Settings of a run. */
export interface RunSettings {
  runId: string
  seed: string
  /** Shortest shard call timeout, ms (the per-peer timeout adapts above it). */
  callTimeoutMs: number
  programTimeoutMs: number
  callsPerPeer: number
  /** How long a batch keeps retrying before its requests count as lost, ms. */
  batchDeadlineMs: number
  uploadConcurrency: number
  uploadProgress: UploadProgressFactory
}

/** Restores lost copies of a shard (the run's reconfiguration loop, when it has one). */
export interface CopyRestorer {
  /** Resolves once `shard` has a live copy again; throws when none can be placed before `deadlineMs`. */
  restore: (shard: ShardState, deadlineMs: number) => Promise<void>
  /** Takes a step now (after one already under way): re-places what was lost without waiting for the timer. */
  stepNow: () => Promise<void>
}

/**
 * The members a run is given and keeps as they are. A class so that the coordinator's run context
 * (live-run-context.ts) takes them over by extending it instead of declaring each again.
 */
export class RunInputs {
  readonly policy: PlacementPolicy
  readonly rng: Rng
  readonly settings: RunSettings
  readonly recorder: RunRecorder
  readonly shortTerm: ShortTermMemory
  readonly longTerm: LongTermMemory
  readonly now: () => number
  readonly emulatedDelayMs: (peerId: string) => number
  readonly recentBusy: RecentBusy
  /** Live peers, by id. */
  readonly targets: Map<string, PeerTarget>
  /** Tiles this coordinator holds on each peer (all runs of this coordinator share the map). */
  readonly tilesTaken: Map<string, number>
  /**
   * Most tiles each peer lets this coordinator hold, learnt from its tile quota's refusals (shared by all runs). A
   * public node keeps any one owner to a share of its tiles that its record does not tell.
   */
  readonly tileCaps: Map<string, number>

  constructor (inputs: RunInputs) {
    this.policy = inputs.policy
    this.rng = inputs.rng
    this.settings = inputs.settings
    this.recorder = inputs.recorder
    this.shortTerm = inputs.shortTerm
    this.longTerm = inputs.longTerm
    this.now = inputs.now
    this.emulatedDelayMs = inputs.emulatedDelayMs
    this.recentBusy = inputs.recentBusy
    this.targets = inputs.targets
    this.tilesTaken = inputs.tilesTaken
    this.tileCaps = inputs.tileCaps
  }
}

/** Shared state of a run. */
export interface RunContext extends RunInputs {
  /** Round trips, failure streaks and back-off per peer. */
  readonly health: PeerHealth
  /** Peers taken for departed in this run. */
  readonly dead: Set<string>
  /** Shard calls outstanding per peer. */
  readonly pending: Map<string, number>
  readonly shards: Map<string, ShardState>
  /**
   * Copies given up on peers marked dead. A peer wrongly taken for departed (a busy host) still holds them: the
   * run's end asks it to release them, so its tiles are not lost to later runs.
   */
  readonly abandoned: Array<{ peerId: string, remoteId: string }>
  /** What went wrong in the run so far (besides failed uploads, which the recorder keeps). */
  readonly errors: RunError[]
  /** The run's verification of answers, when it is on (see verify.ts). */
  verification?: RunVerification
  /** The run's reconfiguration loop, when it has one (it then restores lost copies; see `reconfigure-loop.ts`). */
  reconfiguration?: CopyRestorer
  /** The shard id a peer knows this run's shard by. */
  remoteId: (shardId: string) => string
  /** The shard service of a peer. */
  client: (peerId: string) => PeerShards
  /** The call slots of a peer. */
  slotsOf: (peerId: string) => Slots
  /** Views of the live peers now (cached for `maxAgeMs`, default 0: fresh). */
  views: (maxAgeMs?: number) => PeerView[]
  /** Forgets cached views (after tiles were taken or a peer failed). */
  invalidateViews: () => void
  /**
   * After a failed call or upload: decides whether the peer departed (see `liveness.ts`) and marks it dead if so.
   * Concurrent callers share one check. Resolves to whether the peer is still usable.
   */
  recoverOrMarkDead: (peerId: string) => Promise<boolean>
  /**
   * Looks for peers again when a shard has nowhere to go: re-dials the peers marked dead and adds any peer
   * discovery finds that the run does not know. Concurrent callers share one look.
   */
  refreshPeers: () => Promise<void>
  /** Records that `peerId` no longer holds `shard` (its tiles are lost to the job). */
  dropAllocation: (shard: ShardState, peerId: string, nowMs: number) => void
  /**
   * A peer said it is leaving (its record, or a `LEAVING` reply): it is taken out of the run like a departed peer
   * (its copies re-placed while it still finishes the calls in flight), without counting as a failure.
   */
  peerLeaving: (peerId: string) => void
}
