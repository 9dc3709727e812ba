/**
 * Defaults of the report package. Units are in the names.
 */

/** Chart size in CSS pixels. */
export const DEFAULT_CHART_WIDTH_PX = 900
export const DEFAULT_CHART_HEIGHT_PX = 420

/**
 * Line colours, in order (the Okabe–Ito palette: distinguishable with the common colour-vision deficiencies).
 */
export const SERIES_COLORS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442']

/** Colour of a chart marker that has none (a dark grey, distinct from the series palette). */
export const DEFAULT_MARKER_COLOR = '#444444'

/** The page file name `writeReportPage` uses when none is given. */
export const DEFAULT_PAGE_FILE_NAME = 'index.html'
