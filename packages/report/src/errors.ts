/** Named errors of the report package. */
import { TesseraError } from '@tessera/errors'

/** A table or chart is malformed: ragged rows, series of a different length than the x values, bad numbers. */
export class InvalidReportDataError extends TesseraError { static override readonly code = 'ERR_INVALID_REPORT_DATA' }

/** The uPlot files to inline into a page could not be read. */
export class ChartAssetsError extends TesseraError { static override readonly code = 'ERR_CHART_ASSETS' }
