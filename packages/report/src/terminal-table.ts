/**
 * Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned, a rule under
 * the header. No colours or box-drawing, so the output pastes cleanly into logs and reports.
 */
import type { ReportCell, ReportTable } from './types.js'
import { validateTable } from './validate.js'

export interface TerminalTableOptions {
  /** A line printed above the table. */
  title?: string
  /** Spaces between columns (default 2). */
  gap?: number
}

/** Display width of a string (code points, so `±` and `µ` count as one). */
function width (text: string): number {
  return [...text].length
}

function cellText (cell: ReportCell): string {
  return cell === null ? '' : String(cell)
}

/** Renders a table as lines of text (ending with a newline). */
export function renderTerminalTable (table: ReportTable, options: TerminalTableOptions = {}): string {
  validateTable(table)
  const gap = ' '.repeat(options.gap ?? 2)
  const cells = table.rows.map((row) => row.map(cellText))
  const widths = table.columns.map((name, c) => Math.max(width(name), ...cells.map((row) => width(row[c]))))
  const align = table.columns.map((_, c) => table.align?.[c] ??
    (table.rows.length > 0 && table.rows.every((row) => row[c] === null || typeof row[c] === 'number') ? 'right' : 'left'))
  const pad = (text: string, c: number): string => {
    const fill = ' '.repeat(widths[c] - width(text))
    return align[c] === 'right' ? fill + text : text + fill
  }
  const line = (row: string[]): string => row.map(pad).join(gap).trimEnd()
  const lines: string[] = []
  if (options.title !== undefined) lines.push(options.title)
  lines.push(line(table.columns))
  lines.push(widths.map((w) => '-'.repeat(w)).join(gap))
  for (const row of cells) lines.push(line(row))
  return lines.join('\n') + '\n'
}
