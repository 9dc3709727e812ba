/**
 * Errors of the hole-punch service. Each has a `name`, a default message and a stable `code`; `retryable` tells
 * whether a new attempt with fresh ports could succeed.
 */

export class HolePunchError extends Error {
  static readonly code: string = 'ERR_HOLE_PUNCH'
  readonly code: string
  /** A new attempt with fresh ports may succeed. */
  readonly retryable: boolean

  constructor (message = 'hole punch failed', code = HolePunchError.code, retryable = false, options?: ErrorOptions) {
    super(message, options)
    this.name = 'HolePunchError'
    this.code = code
    this.retryable = retryable
  }
}

/** A coordination message is malformed, too large, of the wrong type or version. */
export class InvalidHolePunchMessageError extends HolePunchError {
  static override readonly code = 'ERR_INVALID_HOLE_PUNCH_MESSAGE'
  constructor (message = 'invalid hole-punch message', options?: ErrorOptions) {
    super(message, InvalidHolePunchMessageError.code, false, options)
    this.name = 'InvalidHolePunchMessageError'
  }
}

/** A candidate address is not `ip4:port` with a unicast IPv4 address and a port in 1–65535. */
export class InvalidCandidateError extends HolePunchError {
  static override readonly code = 'ERR_INVALID_CANDIDATE'
  constructor (message = 'invalid hole-punch candidate', options?: ErrorOptions) {
    super(message, InvalidCandidateError.code, false, options)
    this.name = 'InvalidCandidateError'
  }
}

/**
 * A NAT on the path rewrote the source port, so the mapping towards the peer cannot be predicted from the mapping
 * the observer saw (symmetric NAT, or a NAT that does not preserve ports). The relayed connection stays.
 */
export class UnpredictableMappingError extends HolePunchError {
  static override readonly code = 'ERR_UNPREDICTABLE_MAPPING'
  constructor (message = 'the NAT mapping cannot be predicted (symmetric NAT)', options?: ErrorOptions) {
    super(message, UnpredictableMappingError.code, false, options)
    this.name = 'UnpredictableMappingError'
  }
}

/** No public peer to learn our mapping from: the relayed connection's relay has no direct TCP connection to us. */
export class NoObserverError extends HolePunchError {
  static override readonly code = 'ERR_NO_OBSERVER'
  constructor (message = 'no observer to learn the NAT mapping from', options?: ErrorOptions) {
    super(message, NoObserverError.code, false, options)
    this.name = 'NoObserverError'
  }
}

/** The observer connection failed or identify did not report an IPv4/TCP observed address in time. */
export class ObservationFailedError extends HolePunchError {
  static override readonly code = 'ERR_OBSERVATION_FAILED'
  constructor (message = 'could not learn the NAT mapping', options?: ErrorOptions) {
    super(message, ObservationFailedError.code, true, options)
    this.name = 'ObservationFailedError'
  }
}

/** The simultaneous open did not produce a connected socket in time (or the kernel refused it). */
export class PunchFailedError extends HolePunchError {
  static override readonly code = 'ERR_PUNCH_FAILED'
  constructor (message = 'the TCP simultaneous open did not connect', options?: ErrorOptions) {
    super(message, PunchFailedError.code, true, options)
    this.name = 'PunchFailedError'
  }
}

/** The punched socket connected but the Noise/multiplexer upgrade failed. */
export class UpgradeFailedError extends HolePunchError {
  static override readonly code = 'ERR_PUNCH_UPGRADE_FAILED'
  constructor (message = 'the punched socket could not be upgraded', options?: ErrorOptions) {
    super(message, UpgradeFailedError.code, true, options)
    this.name = 'UpgradeFailedError'
  }
}

/** The remote side declined the attempt; `reason` is the code it gave. */
export class HolePunchRejectedError extends HolePunchError {
  static override readonly code = 'ERR_HOLE_PUNCH_REJECTED'
  readonly reason: string
  constructor (reason: string, message = `the remote peer declined the hole punch: ${reason}`, options?: ErrorOptions) {
    super(message, HolePunchRejectedError.code, reason === 'observation-failed', options)
    this.name = 'HolePunchRejectedError'
    this.reason = reason
  }
}

/** An attempt with this peer is already running here. */
export class HolePunchBusyError extends HolePunchError {
  static override readonly code = 'ERR_HOLE_PUNCH_BUSY'
  constructor (message = 'a hole punch with this peer is already in progress', options?: ErrorOptions) {
    super(message, HolePunchBusyError.code, false, options)
    this.name = 'HolePunchBusyError'
  }
}

/** The connection given to `punch()` is not a relayed connection. */
export class NotRelayedError extends HolePunchError {
  static override readonly code = 'ERR_NOT_RELAYED'
  constructor (message = 'the connection is not relayed', options?: ErrorOptions) {
    super(message, NotRelayedError.code, false, options)
    this.name = 'NotRelayedError'
  }
}

/** An init option is out of range or of the wrong kind. */
export class InvalidHolePunchOptionError extends HolePunchError {
  static override readonly code = 'ERR_INVALID_HOLE_PUNCH_OPTION'
  constructor (message = 'invalid hole-punch option', options?: ErrorOptions) {
    super(message, InvalidHolePunchOptionError.code, false, options)
    this.name = 'InvalidHolePunchOptionError'
  }
}
