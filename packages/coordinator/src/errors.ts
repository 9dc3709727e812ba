/**
 * Named errors of the coordinator, one line each on the repository's base class (`@tessera/errors`): the class
 * name is the error's `name`, the static `code` its machine-readable code, and every one takes a `cause`.
 */
import { TesseraError } from '@tessera/errors'

/** A job description is malformed (layer shapes do not chain, arrays of the wrong length, bad activation). */
export class InvalidJobError extends TesseraError { static override readonly code = 'ERR_INVALID_JOB' }

/** A coordinator or run option is out of its documented range. */
export class InvalidRunOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_RUN_OPTION' }

/** Discovery found no peer that serves shards. */
export class NoPeersError extends TesseraError { static override readonly code = 'ERR_NO_PEERS' }

/** The policy left shards unplaced, or the network does not have the tiles the job needs. */
export class PlacementFailedError extends TesseraError { static override readonly code = 'ERR_PLACEMENT_FAILED' }

/** No live peer can take a shard right now (every candidate refused or failed its upload). */
export class ShardUnavailableError extends TesseraError { static override readonly code = 'ERR_SHARD_UNAVAILABLE' }

/** A batch's shard call found no peer to serve it before the batch deadline: the batch's requests are lost. */
export class BatchDeadlineError extends TesseraError { static override readonly code = 'ERR_BATCH_DEADLINE' }

/** A peer answered a shard call with an output of the wrong size. */
export class BadShardReplyError extends TesseraError { static override readonly code = 'ERR_BAD_SHARD_REPLY' }
