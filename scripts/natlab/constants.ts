/** Defaults of the NAT lab. Units are in the names. */

/** Name prefix of every namespace a lab creates (`<prefix>-<host>`); also read from TESSERA_NATLAB_PREFIX. */
export const DEFAULT_PREFIX = 'tl'

/** Environment variable that overrides {@link DEFAULT_PREFIX}. */
export const PREFIX_ENV = 'TESSERA_NATLAB_PREFIX'

/**
 * Prefixes are short and hyphen-free: namespace names are `<prefix>-<host>`, so a prefix without hyphens can never
 * be the start of another lab's prefix (`tl` does not match `tl2-…`, and `tl-x` is not allowed).
 */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,11}$/

/** Host names become interface names (at most 15 bytes), LAN peers append `-a`, `-b`, …. */
export const HOST_NAME_PATTERN = /^[a-z][a-z0-9]{0,9}$/

/** Where a lab keeps its state file and the logs of the processes `up` starts (tmpfs, gone after a reboot). */
export const RUN_DIR = '/run/tessera-natlab'

/** Number of public peers (`pub1`, `pub2`, …) besides the relay and the STUN host. */
export const DEFAULT_PUBLIC_PEERS = 2

/**
 * The first octets public hosts' /8 blocks may have: the first host takes `first`, the others consecutive blocks,
 * up to `last` (routers start above it).
 */
export const PUBLIC_OCTETS = Object.freeze({ first: 11, last: 38 })

/**
 * The first octets routers' WAN /8 blocks may have, taken in order like {@link PUBLIC_OCTETS}: 42–99 are all
 * outside every range libp2p deems private.
 */
export const ROUTER_OCTETS = Object.freeze({ first: 41, last: 99 })

/** UDP port of the lab's STUN responder on the `stun` host. */
export const STUN_PORT = 3478

/** How long `up` waits for the STUN responder to listen. */
export const STUN_READY_TIMEOUT_MS = 3000

/** How long `down` waits after SIGTERM before it sends SIGKILL to processes left in lab namespaces. */
export const KILL_GRACE_MS = 1000

/** Default bound of one command run inside a lab host through `run()`. */
export const RUN_TIMEOUT_MS = 30_000

/** Default connect timeout of the reachability probe: long enough for a SYN and its first retransmit to go unanswered. */
export const CONNECT_PROBE_TIMEOUT_MS = 2500

/** Default time a hole-punch attempt may take before it counts as failed (SYN retransmits at 1 s and 3 s). */
export const PUNCH_TIMEOUT_MS = 5000

/** Lifetime of a probe server (echo, STUN responder) that nobody stops: probes always exit by themselves. */
export const PROBE_SERVER_LIFETIME_MS = 120_000

/** Ports the self-check picks from: below Linux's ephemeral range so they never collide with kernel-chosen ports. */
export const CHECK_PORT_MIN = 20_000
export const CHECK_PORT_MAX = 29_999
