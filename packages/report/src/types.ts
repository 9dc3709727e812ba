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
