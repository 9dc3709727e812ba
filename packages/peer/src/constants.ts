/** Defaults of a tessera node. Units are in the names. */

// Protocol ids, frame limits and the metrics period are the wire package's (SHARD_PROTOCOL, METRICS_PROTOCOL…).

/**
 * kad-dht protocol of the tessera network. A protocol of our own keeps tessera's records and routing tables out of
 * the public IPFS DHT, whose peers would reject `/tessera/…` keys anyway.
 */
export const DHT_PROTOCOL = '/tessera/kad/1.0.0'

/** Concurrent requests of one kad-dht query, and its disjoint paths (kad-dht's default is 10 of each). */
export const DHT_QUERY_ALPHA = 3

/**
 * kad-dht's `findProviders` stops once it has this many providers (its k-bucket size), so a single well-known CID
 * can never list more than about 20 nodes.
 */
export const DHT_FIND_PROVIDERS_LIMIT = 20

/**
 * Capability buckets: besides the well-known capability CID, each node provides the CID of one of this many buckets
 * (chosen by its peer id), and discovery asks every bucket once the well-known CID hits the findProviders limit. Eight
 * buckets list about 8 × 20 nodes before a bucket can fill up. Changing it changes where nodes are found: it is part
 * of the protocol.
 */
export const CAPABILITY_BUCKETS = 8

/** Period of the connection monitor's pings on a local network (libp2p's default is 10 s). */
export const LOCAL_CONNECTION_PING_INTERVAL_MS = 60_000

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
 * Delay of the first re-publication after start; each later delay doubles until it reaches the refresh period.
 * The first publication lands on the few peers a new node knows; while the network around it forms, the records and
 * provider entries must move to the peers that are closest by then, or lookups that converge there miss them.
 */
export const DEFAULT_RECORD_FIRST_REFRESH_MS = 20_000

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

/** Timeout of one DHT operation (put, provide, get, findProviders). */
export const DEFAULT_DHT_TIMEOUT_MS = 30_000

/** Default device preset of a node's tile pool. */
export const DEFAULT_DEVICE_PRESET = 'pcm'

/** Default number of tiles in a node's pool. */
export const DEFAULT_TILES = 32

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
