/**
 * Named errors of the simulations, one line each on the repository's base class (`@tessera/errors`): the class
 * name is the error's `name`, the static `code` its machine-readable code, and every one takes a `cause`.
 */
import { TesseraError } from '@tessera/errors'

/** A scenario (a JSON file or an object) is malformed, cannot be read, or is not a simulation where one is needed. */
export class InvalidScenarioError extends TesseraError { static override readonly code = 'ERR_INVALID_SCENARIO' }

/** A node of the running scenario is not in the state asked of it (not running, not on standby, joined already). */
export class ScenarioNodeStateError extends TesseraError { static override readonly code = 'ERR_SCENARIO_NODE_STATE' }

/** The times or windows given to the recovery measurement are inconsistent. */
export class InvalidRecoveryInputError extends TesseraError { static override readonly code = 'ERR_INVALID_RECOVERY_INPUT' }

/** A relayed node of the scenario got no reservation on the relay in time. */
export class RelayReservationTimeoutError extends TesseraError { static override readonly code = 'ERR_RELAY_RESERVATION_TIMEOUT' }
