/** Named errors of the discrete-event simulator. */
import { TesseraError } from '@tessera/errors'

/** An event was scheduled before the simulated clock or at a time that is not finite (a simulator bug). */
export class DesClockError extends TesseraError { static override readonly code = 'ERR_DES_CLOCK' }

/** A simulator setting, a fault or a scale specification is out of its documented range. */
export class InvalidDesOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_DES_OPTION' }

/** A checked invariant failed: a request lost or answered twice, a tile over-committed, a shard's last copy removed. */
export class InvariantViolationError extends TesseraError { static override readonly code = 'ERR_DES_INVARIANT' }

/** A saved loopback run to validate against is missing or not a `tessera sim --json` document. */
export class RealRunUnreadableError extends TesseraError { static override readonly code = 'ERR_DES_REAL_RUN' }
