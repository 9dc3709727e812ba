/**
 * Limits and defaults of the tessera wire protocols. Units are in the names. Every read of a frame is bounded
 * by {@link MAX_FRAME_SIZE_BYTES}; the tensor limits keep the largest legal message inside that bound.
 */

/** Protocol id of the shard service (program, execute, release, status). */
export const SHARD_PROTOCOL = '/tessera/shard/1.0.0'

/** Protocol id of the short-term metrics push. */
export const METRICS_PROTOCOL = '/tessera/metrics/1.0.0'

/** Largest float32 payload (execute input, execute output or one program chunk) in one frame: 1 MiB. */
export const MAX_TENSOR_SIZE_BYTES = 1024 * 1024

/** Room for every non-tensor field of a message (ids, shape, hashes, protobuf tags and lengths). */
export const FRAME_OVERHEAD_BYTES = 4096

/** Largest encoded message accepted on the shard and metrics protocols (pass as lpStream's maxDataLength). */
export const MAX_FRAME_SIZE_BYTES = MAX_TENSOR_SIZE_BYTES + FRAME_OVERHEAD_BYTES

/** Default size of one program chunk: 256 KiB (a 512×512 block is 4 chunks). */
export const CHUNK_SIZE_BYTES = 256 * 1024

/** Smallest chunk size a ProgramBegin may declare (one float32). */
export const MIN_CHUNK_SIZE_BYTES = 4

/** Largest chunk size a ProgramBegin may declare (one tensor payload). */
export const MAX_CHUNK_SIZE_BYTES = MAX_TENSOR_SIZE_BYTES

/** Most chunks one upload may have. */
export const MAX_CHUNKS = 1024

/** Largest block dimension (rows or cols) one program may carry; 4096×4096 float32 is 64 MiB. */
export const MAX_BLOCK_DIMENSION = 4096

/** Most input vectors in one execute request (also bounded by {@link MAX_TENSOR_SIZE_BYTES}). */
export const MAX_BATCH = 1024

/** Most concurrent shard requests (streams) a node serves for one peer; more get BUSY. */
export const MAX_IN_FLIGHT_PER_PEER = 8

/** Most concurrent inbound shard streams a node accepts over all peers. */
export const MAX_INBOUND_SHARD_STREAMS = 64

/** Most shard ids one keep-alive may name (1024 ids of at most 256 bytes fit one frame). */
export const MAX_KEEP_ALIVE_SHARDS = 1024

/**
 * Longest PeerId text a hand-over may name (UTF-8 bytes): an Ed25519 PeerId is 52 characters in base58btc, an RSA
 * one under 64 in CID form; 128 leaves room for other encodings without letting a request carry a payload.
 */
export const MAX_PEER_ID_TEXT_LENGTH_BYTES = 128

/** Longest quota resource name in an error reply (UTF-8 bytes). */
export const MAX_QUOTA_RESOURCE_LENGTH_BYTES = 64

/** Longest shard id (UTF-8 bytes). */
export const MAX_SHARD_ID_LENGTH_BYTES = 256

/** Longest text seed (UTF-8 bytes). */
export const MAX_SEED_TEXT_LENGTH_BYTES = 256

/** Longest text noise key of an execute request (UTF-8 bytes). */
export const MAX_NOISE_KEY_TEXT_LENGTH_BYTES = 256

/** Longest device preset name (UTF-8 bytes). */
export const MAX_DEVICE_PRESET_LENGTH_BYTES = 64

/** Longest error message kept in an error reply, in UTF-16 code units (longer ones are truncated before sending). */
export const MAX_ERROR_MESSAGE_LENGTH = 1024

/** Length of a SHA-256 digest. */
export const SHA256_LENGTH_BYTES = 32

/** Default time since programming (s) when neither the execute nor the program sets one (crossbar default). */
export const DEFAULT_T_SECONDS = 1

/** Default timeout of one request/response exchange (status, execute, release). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000

/** Default timeout of a whole program upload (begin to committed). */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 60_000

/** Default time a stream may sit idle between frames before it is aborted. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 5_000

/** Default interval between metrics pushes to connected peers. */
export const DEFAULT_METRICS_INTERVAL_MS = 3_000
