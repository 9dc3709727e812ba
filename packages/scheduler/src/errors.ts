/**
 * Named errors of the scheduler package: bad input (built by the caller from its own state) and bad options (set
 * by a user or a configuration). A reconfiguration clock that goes backwards is the memory package's
 * ClockWentBackwardsError.
 */
import { TesseraError } from '@tessera/errors'

/**
 * A shard, peer view, replica or per-shard load handed to a policy or to the reconfiguration step is malformed:
 * a missing, non-finite or out-of-range field, an id given twice, an unknown shard, or a non-finite clock.
 */
export class InvalidSchedulerInputError extends TesseraError { static override readonly code = 'ERR_INVALID_SCHEDULER_INPUT' }

/** A policy name that is not one of `POLICY_NAMES`, or a score-model, shard or reconfiguration option out of its range. */
export class InvalidSchedulerOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_SCHEDULER_OPTION' }
