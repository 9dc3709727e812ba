/**
 * Errors of the hole-punch service. Every one is a {@link HolePunchError}, so a caller of `punch()` or a listener of
 * `hole-punch:failure` can branch on the class or its `code`; `retryable` tells whether a new attempt with fresh
 * ports could succeed.
 */
import { UnsupportedProtocolError } from '@libp2p/interface'
import { TesseraError } from '@tessera/errors'
import { isLibp2pError } from './libp2p-errors.js'
import type { TesseraErrorOptions } from '@tessera/errors'

/** A hole punch failed; the base of this package's errors (and the error of a peer punching itself). */
export class HolePunchError extends TesseraError {
  static override readonly code: string = 'ERR_HOLE_PUNCH'
  /** Whether a new attempt with fresh ports may succeed, for every error of the class. */
  static readonly retryable: boolean = false

  /** A new attempt with fresh ports may succeed. */
  get retryable (): boolean {
    return (this.constructor as typeof HolePunchError).retryable
  }
}

/** A coordination message is malformed, too large, of the wrong type or version. */
export class InvalidHolePunchMessageError extends HolePunchError { static override readonly code = 'ERR_INVALID_HOLE_PUNCH_MESSAGE' }

/** A candidate address is not `ip4:port` with a unicast IPv4 address and a port in 1–65535. */
export class InvalidCandidateError extends HolePunchError { static override readonly code = 'ERR_INVALID_CANDIDATE' }

/**
 * A NAT on the path rewrote the source port, so the mapping towards the peer cannot be predicted from the mapping
 * the observer saw (symmetric NAT, or a NAT that does not preserve ports). The relayed connection stays.
 */
export class UnpredictableMappingError extends HolePunchError { static override readonly code = 'ERR_UNPREDICTABLE_MAPPING' }

/** No public peer to learn our mapping from: the relayed connection's relay has no direct TCP connection to us. */
export class NoObserverError extends HolePunchError { static override readonly code = 'ERR_NO_OBSERVER' }

/** The observer connection failed or identify did not report an IPv4/TCP observed address in time. */
export class ObservationFailedError extends HolePunchError {
  static override readonly code = 'ERR_OBSERVATION_FAILED'
  static override readonly retryable = true
}

/** The simultaneous open did not produce a connected socket in time (or the kernel refused it). */
export class PunchFailedError extends HolePunchError {
  static override readonly code = 'ERR_PUNCH_FAILED'
  static override readonly retryable = true
}

/** The punched socket connected but the Noise/multiplexer upgrade failed. */
export class UpgradeFailedError extends HolePunchError {
  static override readonly code = 'ERR_PUNCH_UPGRADE_FAILED'
  static override readonly retryable = true
}

/**
 * The coordination stream over the relay failed (reset, end of stream, timeout; the libp2p error is the `cause`).
 * Worth another attempt, unless the remote peer does not run the protocol.
 */
export class CoordinationFailedError extends HolePunchError {
  static override readonly code = 'ERR_HOLE_PUNCH_COORDINATION_FAILED'

  override get retryable (): boolean {
    return !isLibp2pError(this.cause, UnsupportedProtocolError)
  }
}

/** The remote side declined the attempt; `reason` is the code it gave. */
export class HolePunchRejectedError extends HolePunchError {
  static override readonly code = 'ERR_HOLE_PUNCH_REJECTED'
  readonly reason: string

  constructor (reason: string, message = `the remote peer declined the hole punch: ${reason}`, options?: TesseraErrorOptions) {
    super(message, options)
    this.reason = reason
  }

  /** The remote peer could not learn its own mapping this time; with fresh ports it may. */
  override get retryable (): boolean {
    return this.reason === 'observation-failed'
  }
}

/** An attempt with this peer is already running here (or there). */
export class HolePunchBusyError extends HolePunchError { static override readonly code = 'ERR_HOLE_PUNCH_BUSY' }

/** The connection given to `punch()` is not a relayed connection. */
export class NotRelayedError extends HolePunchError { static override readonly code = 'ERR_NOT_RELAYED' }

/** An init option is out of range or of the wrong kind. */
export class InvalidHolePunchOptionError extends HolePunchError { static override readonly code = 'ERR_INVALID_HOLE_PUNCH_OPTION' }

/** A TCP connect from a bound port gave up; `reason` is the socket error code, `timeout` or `aborted`. */
export class TcpConnectError extends HolePunchError {
  static override readonly code = 'ERR_TCP_CONNECT'
  readonly reason: string

  constructor (reason: string, message: string, options?: TesseraErrorOptions) {
    super(message, options)
    this.reason = reason
  }
}
