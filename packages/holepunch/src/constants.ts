/** Defaults of the TCP hole-punch service. Units are in the names. */

/** Coordination protocol, run over the relayed (limited) connection. */
export const HOLE_PUNCH_PROTOCOL = '/tessera/holepunch/1.0.0'

/** Upper bound of one coordination message (JSON, length-prefixed); real messages are ~200 bytes. */
export const MAX_MESSAGE_SIZE_BYTES = 2048

/** Each read or write on the coordination stream must finish within this. */
export const MESSAGE_TIMEOUT_MS = 10_000

/**
 * How long a learned NAT mapping observation may take: a TCP connect, Noise and yamux with the observer, then
 * identify's answer.
 */
export const OBSERVE_TIMEOUT_MS = 5_000

/**
 * How long the simultaneous open may take. Linux retransmits an unanswered SYN after 1 s and 3 s, so 6 s covers the
 * first SYN plus two retransmits (the first SYNs are usually dropped by the far NAT, which has no mapping yet).
 */
export const PUNCH_TIMEOUT_MS = 6_000

/** Noise and multiplexer negotiation over the punched socket. */
export const UPGRADE_TIMEOUT_MS = 10_000

/** Full attempts (fresh ports each) per relayed connection before giving up; failures of kind "unpredictable" are not retried. */
export const DEFAULT_ATTEMPTS = 2

/**
 * Pause before a retry. libp2p refuses more than 5 inbound connections per second from one IP by default, and each
 * attempt opens one observer connection to the relay from our NAT's address: back-to-back retries would hit that.
 */
export const RETRY_DELAY_MS = 1_000

/** Coordination streams a peer may have open with us at once. */
export const MAX_INBOUND_STREAMS = 2

/** Coordination streams we open to one peer at once. */
export const MAX_OUTBOUND_STREAMS = 2

/** Inactivity timeout of a punched socket once it is a libp2p connection (as @libp2p/tcp: 2 min of silence). */
export const SOCKET_INACTIVITY_TIMEOUT_MS = 120_000

/** Version carried in every coordination message; a peer speaking another version is rejected. */
export const MESSAGE_VERSION = 1
