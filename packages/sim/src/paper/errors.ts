/**
 * Errors of the paper measurement (`tessera paper`).
 */
import { TesseraError } from '@tessera/errors'

/** The throughput bound's linear program could not be solved to optimality (solver status in the message). */
export class ThroughputBoundError extends TesseraError { static override readonly code = 'ERR_THROUGHPUT_BOUND' }

/** A statistic was asked of data it is not defined for (no samples, unpaired seeds). */
export class PaperStatisticsError extends TesseraError { static override readonly code = 'ERR_PAPER_STATISTICS' }

/** An option of the paper measurement is out of range (seeds, rates, durations). */
export class InvalidPaperOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_PAPER_OPTION' }
