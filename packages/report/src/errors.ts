/**
 * Named errors of the report package: every failure has its own class with `name` and `code` set.
 */

/** Base class of every report error. */
export class ReportError extends Error {
  readonly code: string
  constructor (message: string, code = 'ERR_REPORT') {
    super(message)
    this.name = 'ReportError'
    this.code = code
  }
}

/** A table or chart is malformed: ragged rows, series of a different length than the x values, bad numbers. */
export class InvalidReportDataError extends ReportError {
  static readonly code = 'ERR_INVALID_REPORT_DATA'
  constructor (message = 'report data is malformed') {
    super(message, InvalidReportDataError.code)
    this.name = 'InvalidReportDataError'
  }
}

/** The uPlot files to inline into a page could not be read. */
export class ChartAssetsError extends ReportError {
  static readonly code = 'ERR_CHART_ASSETS'
  constructor (message = 'the uPlot chart library files could not be read') {
    super(message, ChartAssetsError.code)
    this.name = 'ChartAssetsError'
  }
}
