/**
 * The uPlot library files inlined into every page, so a report opens offline (no CDN, no network).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ChartAssetsError } from './errors.js'

export interface ChartAssets {
  /** uPlot's minified IIFE build: defines the global `uPlot`. */
  script: string
  /** uPlot's stylesheet. */
  css: string
}

let cached: ChartAssets | undefined

/** Reads uPlot's browser build and stylesheet from node_modules (once per process). */
export function loadChartAssets (): ChartAssets {
  if (cached !== undefined) return cached
  try {
    const require = createRequire(import.meta.url)
    const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')
    // Inlined text must not close its own element early.
    if (/<\/script/i.test(script) || /<\/style/i.test(css)) throw new Error('library text contains a closing tag')
    cached = { script, css }
    return cached
  } catch (err) {
    throw new ChartAssetsError(`cannot inline uPlot: ${(err as Error).message}`, { cause: err })
  }
}
