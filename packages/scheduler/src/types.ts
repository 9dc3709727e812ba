/**
 * The scheduler's inputs and outputs: what a coordinator knows about a peer, what a shard needs, and the
 * interface every placement policy (tessera's and the baselines) implements.
 */
import type { Rng } from '@tessera/crossbar'
import type { LongTermStats, ShortTermStats } from '@tessera/memory'

/** Tile size: rows (word lines, inputs) × cols (bit lines, outputs). */
export interface Geometry {
  rows: number
  cols: number
}

/** How the coordinator reaches a peer. */
export type PathKind = 'direct' | 'hole-punched' | 'relayed'

/** A relay's per-connection limits (circuit relay v2 `limit`). */
export interface RelayLimits {
  /** Bytes a relayed connection may carry before the relay closes it. */
  dataBytes: number
  /** Time a relayed connection may stay open, ms. */
  durationMs: number
}

/** What a peer advertises about its device (from its capacity record). */
export interface DeviceView {
  /** Device preset name (`ideal`, `pcm`, `rram-4bit`, …). */
  preset: string
  geometry: Geometry
  /** Expected relative output error of one MVM (dimensionless; 0 for ideal). */
  noiseLevel: number
  tilesFree: number
  tilesTotal: number
  /** Advertised MVM throughput, MACs per second. */
  throughput: number
}

/** Everything the scheduler knows about one candidate peer. */
export interface PeerView {
  peerId: string
  device: DeviceView
  path: PathKind
  /** Limits of the relay a relayed peer is reached through; absent = js-libp2p defaults (128 KiB, 2 min). */
  relayLimits?: RelayLimits
  /** Round-trip time measured to the peer (ping), ms. */
  rttMs: number
  /**
   * Shard calls the coordinator keeps outstanding on the peer at most (its call depth on the path; fewer on a
   * relayed one); absent = no limit. Each call holds a slot for its round trip too (call-depth.ts).
   */
  callSlots?: number
  /** Measured bandwidth to the peer, bytes per second; absent = the default for its path. */
  bandwidthBytesPerSec?: number
  /** Short-term memory of the peer (load, latency, errors over the last minute), if any. */
  shortTerm?: ShortTermStats
  /** Long-term memory of the peer (reliability, result error, trends), if any. */
  longTerm?: LongTermStats
}

/** One unit of placement: the blocks of one planned tile (or several), programmed together on one peer. */
export interface ShardSpec {
  id: string
  /** Tiles the shard occupies on a peer. */
  tilesNeeded: number
  /** Smallest tile geometry the shard fits in (a peer's tiles must be at least this large in both directions). */
  geometry: Geometry
  /** Weights the shard holds (cells in use). */
  cells: number
  /** Bytes uploaded to program the shard. */
  bytes: number
  /** 0 … 1: how much the model's accuracy suffers from device noise on this shard (high = steer to low noise). */
  sensitivity: number
  /** Relative request rate: shard calls per model request (1 = once per request; a hot shard is higher). */
  expectedLoad: number
  /** MACs per shard call (default `cells`: one input vector through every weight). */
  macsPerRequest?: number
  /** Bytes sent and received per shard call (input slice + partial sums; default 0). */
  requestBytes?: number
  /** Copies wanted, primary included (default 1); copies always go to distinct peers. */
  replicas?: number
  /**
   * Copies a policy may place at most (default and at least `replicas`): room to split the shard's calls among
   * peers. tessera adds copies up to it where they raise the request rate its placement sustains
   * (policies/tessera-balance.ts); the baselines place `replicas`.
   */
  maxReplicas?: number
}

/** Input of {@link PlacementPolicy.place}. */
export interface PlacementInput {
  shards: readonly ShardSpec[]
  peers: readonly PeerView[]
  /** The coordinator's clock, ms. */
  nowMs: number
  /** Random source (from `createRng(seed)`): the same seed and inputs give the same placement. */
  rng: Rng
  /** The coordinator's own peer id, if it is also a candidate (Ray's "local node"; default: the first peer). */
  localPeerId?: string
}

/** Result of {@link PlacementPolicy.place}. */
export interface Placement {
  /** Name of the policy that produced it. */
  policy: string
  /** Shard id → peer ids holding a copy, primary first; every placed shard appears, on distinct peers. */
  assignments: Map<string, string[]>
  /** Shards that got no copy at all. */
  unplaced: string[]
  /** Shard id → why it got no copy or fewer copies than it wanted. */
  reasons: Map<string, string>
  /** Peer id → tiles this placement takes on it (never more than the peer's `tilesFree`). */
  tilesByPeer: Map<string, number>
}

/** Input of {@link PlacementPolicy.route}: one shard call to send to one of the shard's replicas. */
export interface RouteInput {
  shard: ShardSpec
  /** Peers holding a live copy of the shard. */
  replicas: readonly string[]
  /** Views of (at least) the replicas. */
  peers: readonly PeerView[]
  nowMs: number
  rng: Rng
  /** Shard calls this coordinator has outstanding per peer (its own view of in-flight work). */
  pending?: ReadonlyMap<string, number>
}

/** A placement policy: where to put shards, and which replica serves each call. */
export interface PlacementPolicy {
  readonly name: string
  /** Places shards on peers (pure: depends only on the input and the rng's state). */
  place: (input: PlacementInput) => Placement
  /** Picks the replica that serves one shard call; `undefined` when there is none. May keep routing state. */
  route: (input: RouteInput) => string | undefined
}
