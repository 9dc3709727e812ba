/** Defaults of a tessera node. Units are in the names. */
import { crossbarConstants } from '@tessera/crossbar'
import { MAX_CAPACITY_RECORD_SIZE_BYTES } from '@tessera/memory'

// Protocol ids, frame limits and the metrics period are the wire package's (SHARD_PROTOCOL, METRICS_PROTOCOL…).

/**
 * kad-dht protocol of the tessera network. A protocol of our own keeps tessera's records and routing tables out of
 * the public IPFS DHT, whose peers would reject `/tessera/…` keys anyway.
 */
export const DHT_PROTOCOL = '/tessera/kad/1.0.0'

/** Concurrent requests of one kad-dht query, and its disjoint paths (kad-dht's default is 10 of each). */
export const DHT_QUERY_ALPHA = 3

/** kad-dht's k: a put or provide goes to the k peers a lookup finds closest to the key. */
export const DHT_CLOSEST_PEERS = 20

/**
 * kad-dht's `findProviders` stops once it has this many providers (its k-bucket size), so a single well-known CID
 * can never list more than about 20 nodes.
 */
export const DHT_FIND_PROVIDERS_LIMIT = 20

/**
 * Capability buckets: each node provides the CID of one of this many buckets (chosen by its peer id), and discovery
 * asks every one of them. Eight buckets list about 8 × 20 nodes before a bucket can fill up. Changing it changes where
 * nodes are found: it is part of the protocol.
 */
export const CAPABILITY_BUCKETS = 8

/**
 * Levels of the capability bucket tree (capability-buckets.ts): the root (the well-known CID, which no node provides),
 * 8 buckets, 64 buckets. A node provides one key per level below the root; 64 buckets of ~20 listed providers each
 * reach ~1,300 nodes per coordinator, far more than the candidates one run wants. Part of the protocol, like
 * CAPABILITY_BUCKETS.
 */
export const CAPABILITY_BUCKET_LEVELS = 3

/** Default listen address: loopback only, so nothing is reachable from outside unless asked for. */
export const DEFAULT_LISTEN_LOCAL = '/ip4/127.0.0.1/tcp/0'

/** Default listen address on the public network: every interface. */
export const DEFAULT_LISTEN_PUBLIC = '/ip4/0.0.0.0/tcp/0'

/** Loopback block allowed past libp2p's per-IP inbound rate limits on local runs (many nodes share 127.0.0.1). */
export const LOOPBACK_ALLOW_LIST = ['/ip4/127.0.0.0/ipcidr/8']

/** Capacity record expiry: twice the refresh period, as Petals does. */
export const DEFAULT_RECORD_TTL_MS = 120_000

/** Capacity record refresh period (publish + provide). */
export const DEFAULT_RECORD_REFRESH_MS = 60_000

/**
 * Delay of the first step after start; each later delay doubles until it reaches the refresh period. The first
 * publication lands on the few peers a new node knows; while the network around it forms, the records and provider
 * entries must move to the peers that are closest by then, or lookups that converge there miss them. These early steps
 * publish only what moved (capacity-publisher.ts).
 */
export const DEFAULT_RECORD_FIRST_REFRESH_MS = 20_000

/**
 * How often a node provides its capability bucket keys again once its first publications (which move them to the
 * closest peers while the network around it forms) are done. Provider entries live 48 h in kad-dht; only the record,
 * which carries the node's state and expires in minutes, needs the record's period. Providing every minute cost
 * each idle node three lookups and ~60 ADD_PROVIDER messages a minute for entries already in place.
 */
export const DEFAULT_PROVIDE_REFRESH_MS = 600_000

/**
 * Most metrics pushes one interval sends. Beyond that many connected peers, each interval serves the peers pushed
 * to least recently, so every peer still hears from the node every couple of intervals while the cost per interval
 * stays bounded (a near-full mesh of 50 nodes would otherwise push ~800 samples a second in one process).
 */
export const MAX_METRICS_PUSHES_PER_INTERVAL = 24

/** How often bootstrap peers are re-dialled while the node has no connection at all. */
export const DEFAULT_REDIAL_INTERVAL_MS = 5_000

/** Timeout of one dial to a bootstrap peer. */
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000

/** Timeout of one request/response exchange on the shard protocol (one frame out, one frame back). */
export const DEFAULT_SHARD_TIMEOUT_MS = 30_000

/**
 * Longest delay a Node timer takes (2³¹ − 1 ms, 24.8 days): setTimeout and AbortSignal.timeout run a longer one
 * after 1 ms instead, so no timeout or period may exceed it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** Timeout of one DHT operation (put, provide, get, findProviders). */
export const DEFAULT_DHT_TIMEOUT_MS = 30_000

/** Default device preset of a node's tile pool. */
export const DEFAULT_DEVICE_PRESET = 'pcm'

/** Default number of tiles in a node's pool. */
export const DEFAULT_TILES = 32

/** Largest 32-bit WebAssembly memory (65,536 pages of 64 KiB): the MVM kernel holds every programmed tile in one. */
export const WASM_MEMORY_MAX_BYTES = 4 * 1024 ** 3

/**
 * Bytes of the kernel's memory one programmed cell takes: the packed weight plus the periphery's state (measured:
 * 392,704 bytes per 256×256 tile, the growth over 128 tiles programmed in one pool, for pcm, rram-4bit and ideal).
 */
export const KERNEL_BYTES_PER_CELL = 6

/** Most tiles a pool of `rows × cols` tiles can have programmed at once: as many as the kernel's memory holds. */
export function maxTilesFor (geometry: { rows: number, cols: number }): number {
  return Math.floor(WASM_MEMORY_MAX_BYTES / (geometry.rows * geometry.cols * KERNEL_BYTES_PER_CELL))
}

/**
 * Most tiles a node of the default 256×256 geometry may offer (10,922). More could never all be programmed, however
 * much RAM the host has; the host's RAM is the tighter bound (~3 MB per programmed tile with the JavaScript side).
 */
export const MAX_TILES = maxTilesFor({ rows: crossbarConstants.DEFAULT_TILE_ROWS, cols: crossbarConstants.DEFAULT_TILE_COLS })

/** Relay server limits, raised from js-libp2p's 128 KiB / 2 min so a shard upload fits through a relay. */
export const DEFAULT_RELAY_DATA_LIMIT_BYTES = 1024 * 1024 * 1024
export const DEFAULT_RELAY_DURATION_LIMIT_MS = 30 * 60_000
export const DEFAULT_RELAY_MAX_RESERVATIONS = 64

/** File names under the data dir. */
export const IDENTITY_FILE = 'identity.key'
export const DATASTORE_DIR = 'datastore'

/** Number of recent MVM latencies kept to report the short-term latency figure. */
export const LATENCY_WINDOW_SIZE = 32

/** Samples older than this many metrics intervals are dropped from the per-peer latest-sample map. */
export const METRICS_STALE_INTERVALS = 3

// What the DHT stores for other peers (./dht-store). Without bounds a stranger fills the node's disk and memory with
// valid records signed by throw-away keys (measured before: 1,500 in 4 s, 11 MB of datastore).

/** kad-dht's datastore prefix (its default, named so that kad-dht and the DHT store agree on it). */
export const DHT_DATASTORE_PREFIX = '/dht'

/**
 * DHT records held in all, the node's own included. Each record goes to the k = 20 peers closest to its key, so a
 * node holds about 20 records in a network of any size (every record of a network of 20 nodes or fewer); 512 leaves
 * 25 times that. On disk at most 512 × MAX_DHT_RECORD_SIZE_BYTES ≈ 4.6 MiB; a capacity record is ~300 bytes.
 */
export const MAX_DHT_RECORDS = 512

/**
 * DHT records one remote peer may have stored on this node at once: its own capacity record, and the corrections a
 * coordinator sends to peers that returned an outdated record of someone else during a read.
 */
export const MAX_DHT_RECORDS_PER_PEER = 32

/** Largest serialized DHT record stored: a capacity record at its cap, with room for the key and the receive time. */
export const MAX_DHT_RECORD_SIZE_BYTES = MAX_CAPACITY_RECORD_SIZE_BYTES + 1024

/**
 * Provider entries per provided key. Every node provides one key per level of the capability bucket tree; a
 * findProviders answer lists at most DHT_FIND_PROVIDERS_LIMIT of them, so 128 per key keeps six answers' worth.
 */
export const MAX_DHT_PROVIDERS_PER_KEY = 128

/** Keys one peer may be a provider of on this node (an honest tessera node provides CAPABILITY_BUCKET_LEVELS − 1). */
export const MAX_DHT_PROVIDER_KEYS_PER_PEER = 16

/** Provider entries held in all (~100 bytes each on disk). */
export const MAX_DHT_PROVIDER_ENTRIES = 4096

/**
 * Longest provider entry key: the prefix, the provided multihash in base32 and the provider's peer id. A SHA-256
 * one is ~120 characters; an identity multihash could otherwise carry kilobytes in the key itself.
 */
export const MAX_DHT_PROVIDER_KEY_LENGTH = 256
