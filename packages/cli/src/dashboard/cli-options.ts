/**
 * The `--dashboard [port]` option of `run`, `demo` and `sim`, and what those commands share to start, feed and end
 * a dashboard.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidArgumentError, Option } from 'commander'
import { describeError } from '@tessera/errors'
import type { RunJobOptions, RunResult } from '@tessera/coordinator'
import { screenshotDashboard } from './screenshot.js'
import { startDashboard } from './dashboard.js'
import type { Dashboard } from './dashboard.js'
import type { DashboardState } from './types.js'

/** commander parser: a TCP port, 0 … 65535 (0: any free port). */
export function parseDashboardPort (value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65_535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535 (0: any free port), got ${JSON.stringify(value)}`)
  }
  return port
}

/** `--dashboard [port]`: given without a port it takes a free one. */
export function dashboardOption (): Option {
  return new Option('--dashboard [port]', 'serve a live dashboard on 127.0.0.1 while the command runs (no port or 0: a free one)')
    .preset('0')
    .argParser(parseDashboardPort)
}

/** Starts the dashboard when `port` was given and prints its address on stderr; undefined otherwise. */
export async function openDashboard (port: number | undefined, mode: DashboardState['mode'], title: string): Promise<Dashboard | undefined> {
  if (port === undefined) return undefined
  const dashboard = await startDashboard({ mode, title, port })
  process.stderr.write(`dashboard: ${dashboard.url}\n`)
  return dashboard
}

/** The run options that feed a dashboard (none without one). */
export function dashboardRunOptions (dashboard: Dashboard | undefined): Pick<RunJobOptions, 'onLiveRun' | 'onReconfigureEvent' | 'onPeerFlagged'> {
  return dashboard === undefined ? {} : { onLiveRun: dashboard.hooks.onLiveRun, onReconfigureEvent: dashboard.hooks.onReconfigureEvent, onPeerFlagged: dashboard.hooks.onPeerFlagged }
}

/** Runs `command` with the dashboard `port` asks for (none when undefined), closing it however the command ends. */
export async function withDashboard (port: number | undefined, mode: DashboardState['mode'], title: string,
  command: (dashboard: Dashboard | undefined) => Promise<void>): Promise<void> {
  const dashboard = await openDashboard(port, mode, title)
  try {
    await command(dashboard)
  } finally {
    await closeDashboard(dashboard)
  }
}

/** Tells the browsers the command has finished and stops the server. */
export async function closeDashboard (dashboard: Dashboard | undefined): Promise<void> {
  if (dashboard === undefined) return
  dashboard.end()
  await dashboard.stop()
}

/** Waits for a run, telling the dashboard (when there is one) how it ended; resolves or rejects as the run does. */
export async function trackRun (dashboard: Dashboard | undefined, run: Promise<RunResult>): Promise<RunResult> {
  try {
    const result = await run
    dashboard?.runFinished(result)
    return result
  } catch (err) {
    dashboard?.runFailed(err)
    throw err
  }
}

/**
 * Saves a picture of the dashboard as `dashboard.png` in `dir` when a headless browser is at hand; `say` is told
 * where it went, or why there is none. Never throws: the picture is an extra.
 */
export async function saveDashboardScreenshot (dashboard: Dashboard, dir: string, say: (line: string) => void): Promise<string | undefined> {
  const path = join(dir, 'dashboard.png')
  try {
    await mkdir(dir, { recursive: true })
    await screenshotDashboard(dashboard.url, path)
    say(`dashboard screenshot: ${path}`)
    return path
  } catch (err) {
    say(`no dashboard screenshot: ${describeError(err)}`)
    return undefined
  }
}
