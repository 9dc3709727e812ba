/**
 * Named errors of the coordinator. Every failure has its own class with `name` set, a default message and a
 * `code` (also on the class).
 */

/** Base class of every coordinator error. */
export class CoordinatorError extends Error {
  static readonly code: string = 'ERR_COORDINATOR'
  readonly code: string
  constructor (message: string, code = 'ERR_COORDINATOR', options?: ErrorOptions) {
    super(message, options)
    this.name = 'CoordinatorError'
    this.code = code
  }
}

/** A job description is malformed (layer shapes do not chain, arrays of the wrong length, bad activation). */
export class InvalidJobError extends CoordinatorError {
  static override readonly code = 'ERR_INVALID_JOB'
  constructor (message = 'invalid job description') {
    super(message, InvalidJobError.code)
    this.name = 'InvalidJobError'
  }
}

/** A coordinator or run option is out of its documented range. */
export class InvalidRunOptionError extends CoordinatorError {
  static override readonly code = 'ERR_INVALID_RUN_OPTION'
  constructor (message = 'run option out of range') {
    super(message, InvalidRunOptionError.code)
    this.name = 'InvalidRunOptionError'
  }
}

/** Discovery found no peer that serves shards. */
export class NoPeersError extends CoordinatorError {
  static override readonly code = 'ERR_NO_PEERS'
  constructor (message = 'no tessera peer with free tiles was found') {
    super(message, NoPeersError.code)
    this.name = 'NoPeersError'
  }
}

/** The policy left shards unplaced, or the network does not have the tiles the job needs. */
export class PlacementFailedError extends CoordinatorError {
  static override readonly code = 'ERR_PLACEMENT_FAILED'
  constructor (message = 'the job could not be placed on the peers found') {
    super(message, PlacementFailedError.code)
    this.name = 'PlacementFailedError'
  }
}

/** No live peer can take a shard right now (every candidate refused or failed its upload). */
export class ShardUnavailableError extends CoordinatorError {
  static override readonly code = 'ERR_SHARD_UNAVAILABLE'
  constructor (message = 'a shard could not be served by any peer', options?: ErrorOptions) {
    super(message, ShardUnavailableError.code, options)
    this.name = 'ShardUnavailableError'
  }
}

/** A batch's shard call found no peer to serve it before the batch deadline: the batch's requests are lost. */
export class BatchDeadlineError extends CoordinatorError {
  static override readonly code = 'ERR_BATCH_DEADLINE'
  constructor (message = 'no peer served a shard call before the batch deadline', options?: ErrorOptions) {
    super(message, BatchDeadlineError.code, options)
    this.name = 'BatchDeadlineError'
  }
}

/** A peer answered a shard call with an output of the wrong size. */
export class BadShardReplyError extends CoordinatorError {
  static override readonly code = 'ERR_BAD_SHARD_REPLY'
  constructor (message = 'a shard reply has the wrong shape') {
    super(message, BadShardReplyError.code)
    this.name = 'BadShardReplyError'
  }
}
