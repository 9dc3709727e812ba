/**
 * The data a report is made of. A page is a title and a list of sections; each section may hold text, a table
 * and a chart. The same table renders on the terminal and in the page.
 */

/** A table cell: text, a number (printed as is; format it first for fixed decimals) or empty. */
export type ReportCell = string | number | null

/** A table: every row has one cell per column. */
export interface ReportTable {
  columns: string[]
  rows: ReportCell[][]
  /** Per column; default: right for columns whose cells are all numbers, left otherwise. */
  align?: Array<'left' | 'right'>
}

/** One line of a chart. */
export interface ChartSeries {
  label: string
  /** One value per x value; null leaves a gap. */
  values: Array<number | null>
  /** CSS colour (default: the next colour of the palette). */
  color?: string
  /** Draws a dashed line (e.g. for a variant of another series). */
  dashed?: boolean
}

/** A line chart over shared x values, drawn with uPlot. */
export interface ReportChart {
  /** Increasing x values (positive for a log scale). */
  x: number[]
  series: ChartSeries[]
  xLabel?: string
  yLabel?: string
  /** Default linear. */
  xScale?: 'linear' | 'log'
  /** Fixed x ticks with their labels (e.g. `1 s`, `1 h`); default: uPlot's own ticks. */
  xTicks?: Array<{ value: number, label: string }>
  /** Fixed y range; default: fitted to the data. */
  yRange?: [number, number]
  /** How y values are printed: `percent` shows fractions as percentages (default `number`). */
  yFormat?: 'number' | 'percent'
  widthPx?: number
  heightPx?: number
  /**
   * Vertical lines at x values with a short label (e.g. events on a time axis); drawn over the plot area.
   * Each line gets a numbered badge in a band above the plot (numbered in x order, from 1), with its label beside
   * it where there is room; close markers are staggered over a few rows and a crowded one keeps only its number.
   * Every marker is also listed (number, x, label) under the chart, and hovering a line shows its labels.
   * Markers outside the x range are listed but not drawn. On a log scale, x must be positive.
   */
  markers?: Array<{
    x: number
    /** Short text, e.g. `migrate tile 3` (plain text, escaped). */
    label: string
    /** CSS colour of the line and badge (default `DEFAULT_MARKER_COLOR`). */
    color?: string
    /** Draws a dashed line (e.g. for scenario events, as opposed to the system's own reactions). */
    dashed?: boolean
  }>
}

/** A section of a report page. */
export interface ReportSection {
  heading: string
  /** Paragraphs (plain text, escaped). */
  text?: string | string[]
  table?: ReportTable
  chart?: ReportChart
}

/** A whole page. */
export interface ReportPageInit {
  title: string
  /** A line under the title, e.g. the command that produced the page. */
  subtitle?: string
  sections: ReportSection[]
  /** Shown in the footer (default: now). */
  generatedAt?: Date
}
