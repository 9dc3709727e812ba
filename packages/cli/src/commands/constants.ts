/**
 * The range of every number the command line takes, with why each end is where it is: what the code can do and
 * what the validators downstream accept. A value outside is a usage error (exit 2) whose message states the range.
 */
import { crossbarConstants } from '@tessera/crossbar'
import { MAX_CAPACITY_RECORD_LIFETIME_MS } from '@tessera/memory'
import { MAX_BATCH, MAX_FRAME_SIZE_BYTES } from '@tessera/wire'
import { CAPABILITY_BUCKETS, DHT_FIND_PROVIDERS_LIMIT, MAX_TILES, MAX_TIMER_MS } from '@tessera/peer'

/** An inclusive range of a flag's value. */
export interface FlagRange {
  min: number
  max: number
}

/** `--tiles`: at least one tile, at most what the kernel's memory holds programmed (MAX_TILES, 256×256 tiles). */
export const TILES_RANGE: FlagRange = { min: 1, max: MAX_TILES }

/** `--record-refresh-ms`: a second at least (each refresh is a DHT put and two provides); below the lifetime cap. */
export const RECORD_REFRESH_RANGE_MS: FlagRange = { min: 1_000, max: MAX_CAPACITY_RECORD_LIFETIME_MS - 1 }

/**
 * `--record-ttl-ms`: longer than the shortest refresh period, and at most the farthest expiry every validator
 * accepts (MAX_CAPACITY_RECORD_LIFETIME_MS): a longer lifetime is rejected at each publication.
 */
export const RECORD_TTL_RANGE_MS: FlagRange = { min: RECORD_REFRESH_RANGE_MS.min + 1, max: MAX_CAPACITY_RECORD_LIFETIME_MS }

/**
 * `--dht-timeout-ms` and the `--timeout-ms` of `peers` and `run`: a second at least (a dial and a Noise handshake), at
 * most what a timer can wait (MAX_TIMER_MS).
 */
export const NETWORK_TIMEOUT_RANGE_MS: FlagRange = { min: 1_000, max: MAX_TIMER_MS }

/**
 * `--relay-data-limit-bytes`: at least 1 KiB (libp2p's own default is 128 KiB; below one shard frame the relay still
 * carries the DHT and metrics, and tessera's peers refuse shard traffic over it with LimitedConnectionRefusedError
 * instead of having uploads cut), at most what a JavaScript number holds exactly (the relay counts bytes in a bigint).
 */
export const RELAY_DATA_LIMIT_RANGE_BYTES: FlagRange = { min: 1_024, max: Number.MAX_SAFE_INTEGER }

/**
 * `--retry-ms` of `dashboard`: the time between two dials of a bootstrap peer that does not answer. A tenth of a
 * second at least (each dial takes a connection attempt), at most what a timer can wait.
 */
export const RETRY_PERIOD_RANGE_MS: FlagRange = { min: 100, max: MAX_TIMER_MS }

/** `--relay-duration-limit-ms`: a second at least; the relay enforces it with a timer (MAX_TIMER_MS). */
export const RELAY_DURATION_LIMIT_RANGE_MS: FlagRange = { min: 1_000, max: MAX_TIMER_MS }

/**
 * `--requests` of `run` and `demo`: the run keeps one answer time per request (8 bytes) and per-call records, so ten
 * million keep its bookkeeping under a gigabyte.
 */
export const REQUESTS_RANGE: FlagRange = { min: 1, max: 10_000_000 }

/** `--batch`: at most the inputs one execute request may carry (MAX_BATCH of the wire protocol). */
export const BATCH_RANGE: FlagRange = { min: 1, max: MAX_BATCH }

/**
 * `--in-flight`: batches the coordinator holds at once; beyond the peers' own limits they only queue, each holding
 * its inputs (256 batches of MAX_BATCH MNIST images are ~800 MB).
 */
export const IN_FLIGHT_RANGE: FlagRange = { min: 1, max: 256 }

/**
 * `--min-peers` of `run` and `--nodes` of `demo`: discovery lists at most DHT_FIND_PROVIDERS_LIMIT providers of each
 * of CAPABILITY_BUCKETS bucket CIDs, so more peers than that can never all be found.
 */
export const DISCOVERABLE_PEERS_RANGE: FlagRange = { min: 1, max: CAPABILITY_BUCKETS * DHT_FIND_PROVIDERS_LIMIT }

/** `--geometries` of `accuracy`: square tile sides the crossbar accepts (MAX_TILE_SIDE). */
export const TILE_SIDE_RANGE: FlagRange = { min: 1, max: crossbarConstants.MAX_TILE_SIDE }

/**
 * `--layers` of `accuracy`: units per layer. A layer of n inputs and m outputs trains n × m float32 weights four
 * times over (weights, gradient, two Adam moments): 8,192 × 8,192 is 1 GiB.
 */
export const LAYER_SIZE_RANGE: FlagRange = { min: 1, max: 8_192 }

/** `--seeds` and `--epochs` of `accuracy`: each is a loop; a million rounds is weeks of compute already. */
export const ROUNDS_RANGE: FlagRange = { min: 1, max: 1_000_000 }

/** `--train-seed` of `accuracy`: any integer a JavaScript number holds exactly. */
export const SEED_RANGE: FlagRange = { min: 0, max: Number.MAX_SAFE_INTEGER }

/** `--workers` of `accuracy`: worker threads, each with its own copy of the data set (~200 MB); 0 runs inline. */
export const WORKERS_RANGE: FlagRange = { min: 0, max: 256 }

/** `--times` of `accuracy`: seconds after programming, up to a century (the drift models' fitted range ends far sooner). */
export const TIMES_RANGE_SECONDS: FlagRange = { min: 0, max: 100 * 365 * 86_400 }

/** `--hwa-noise` of `accuracy`: weight noise relative to the layer's max |w| (1: as large as the largest weight). */
export const HWA_NOISE_RANGE: FlagRange = { min: 0, max: 1 }

/** Per-peer counts of the shard service's quotas (uploads, streams, executes in flight). */
export const PER_PEER_COUNT_RANGE: FlagRange = { min: 1, max: 1_024 }

/** Bytes per second read from one peer before it is slowed down: at least one full frame a second. */
export const BYTES_PER_SECOND_RANGE: FlagRange = { min: MAX_FRAME_SIZE_BYTES, max: Number.MAX_SAFE_INTEGER }

/** A shard lease: long enough for a coordinator's keep-alive round trip, at most what a Node timer can wait. */
export const SHARD_LEASE_RANGE_MS: FlagRange = { min: 10_000, max: MAX_TIMER_MS }

/** Open connections of a node: enough for the DHT to work, at most what one process can keep open sensibly. */
export const CONNECTIONS_RANGE: FlagRange = { min: 8, max: 65_536 }

/** Seeds per scenario of `tessera paper`: two at least, for a confidence interval. */
export const PAPER_SEEDS_RANGE: FlagRange = { min: 2, max: 100 }

/** Seeds `tessera paper` measures at once, each in its own worker thread with its own loopback network. */
export const PAPER_CONCURRENCY_RANGE: FlagRange = { min: 1, max: 16 }

/** Network sizes of the discrete-event simulator's scale runs. */
export const SCALE_PEERS_RANGE: FlagRange = { min: 2, max: 1_000_000 }

/** Simulated seconds of one scale run: up to a simulated day. */
export const SCALE_SECONDS_RANGE: FlagRange = { min: 1, max: 86_400 }

/**
 * `--max-cpu`: executor worker threads. One at least; at most 256, a thread per core of the largest machines
 * (each thread holds its own kernel memory, so more threads than cores only cost memory).
 */
export const MAX_CPU_RANGE: FlagRange = { min: 1, max: 256 }

/**
 * `--max-memory-mib`: 16 MiB at least (a few tiles and one upload); at most 1 TiB, far beyond what the tiles
 * (MAX_TILES) can take.
 */
export const MAX_MEMORY_RANGE_MIB: FlagRange = { min: 16, max: 1024 * 1024 }

/** `--drain-timeout-ms`: a tenth of a second at least (one short execute); at most what a timer can wait. */
export const DRAIN_TIMEOUT_RANGE_MS: FlagRange = { min: 100, max: MAX_TIMER_MS }
