/**
 * Named errors of the scheduler package. Every failure has its own class with `name` set, a default message and
 * a `code` (also on the class).
 */

/** Base class of every scheduler error. */
export class SchedulerError extends Error {
  static readonly code: string = 'ERR_SCHEDULER'
  readonly code: string
  constructor (message: string, code = 'ERR_SCHEDULER') {
    super(message)
    this.name = 'SchedulerError'
    this.code = code
  }
}

/** A shard description has a missing, non-finite or out-of-range field. */
export class InvalidShardError extends SchedulerError {
  static override readonly code = 'ERR_INVALID_SHARD'
  constructor (message = 'invalid shard') {
    super(message, InvalidShardError.code)
    this.name = 'InvalidShardError'
  }
}

/** Two shards share an id. */
export class DuplicateShardError extends SchedulerError {
  static override readonly code = 'ERR_DUPLICATE_SHARD'
  constructor (message = 'two shards share an id') {
    super(message, DuplicateShardError.code)
    this.name = 'DuplicateShardError'
  }
}

/** A peer view has a missing, non-finite or out-of-range field. */
export class InvalidPeerViewError extends SchedulerError {
  static override readonly code = 'ERR_INVALID_PEER_VIEW'
  constructor (message = 'invalid peer view') {
    super(message, InvalidPeerViewError.code)
    this.name = 'InvalidPeerViewError'
  }
}

/** Two peer views share a peer id. */
export class DuplicatePeerError extends SchedulerError {
  static override readonly code = 'ERR_DUPLICATE_PEER'
  constructor (message = 'two peer views share a peer id') {
    super(message, DuplicatePeerError.code)
    this.name = 'DuplicatePeerError'
  }
}

/** `createPolicy` was given a name that is not one of `POLICY_NAMES`. */
export class UnknownPolicyError extends SchedulerError {
  static override readonly code = 'ERR_UNKNOWN_POLICY'
  constructor (message = 'unknown placement policy') {
    super(message, UnknownPolicyError.code)
    this.name = 'UnknownPolicyError'
  }
}

/** A score-model or policy option is out of its documented range. */
export class InvalidOptionError extends SchedulerError {
  static override readonly code = 'ERR_INVALID_OPTION'
  constructor (message = 'option out of range') {
    super(message, InvalidOptionError.code)
    this.name = 'InvalidOptionError'
  }
}

/** A replica in the placement given to the reconfiguration step is malformed (unknown shard, bad state, …). */
export class InvalidReplicaError extends SchedulerError {
  static override readonly code = 'ERR_INVALID_REPLICA'
  constructor (message = 'invalid replica in the placement') {
    super(message, InvalidReplicaError.code)
    this.name = 'InvalidReplicaError'
  }
}

/** A per-shard load given to the reconfiguration step is negative, non-finite or names an unknown shard. */
export class InvalidLoadError extends SchedulerError {
  static override readonly code = 'ERR_INVALID_LOAD'
  constructor (message = 'invalid shard load') {
    super(message, InvalidLoadError.code)
    this.name = 'InvalidLoadError'
  }
}

/** The reconfiguration step was called with a clock earlier than its previous call. */
export class ReconfigureClockError extends SchedulerError {
  static override readonly code = 'ERR_RECONFIGURE_CLOCK'
  constructor (message = 'the reconfiguration clock went backwards') {
    super(message, ReconfigureClockError.code)
    this.name = 'ReconfigureClockError'
  }
}
