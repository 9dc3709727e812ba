/**
 * A picture of the dashboard: headless Chromium (Debian's `chromium` package; `.ci/browser-deps.sh` installs it)
 * driven by puppeteer-core, a development dependency of the repository. Without either there is no picture, and
 * the error says which is missing.
 */
import { existsSync } from 'node:fs'
import { describeError } from '@tessera/errors'
import { BrowserUnavailableError } from './errors.js'

/** Where a Chromium is looked for, in order (after `$TESSERA_CHROMIUM`). */
export const CHROMIUM_PATHS: readonly string[] = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
/** Longest wait for the page to show its first state. */
export const SCREENSHOT_TIMEOUT_MS = 30_000

/** The Chromium to drive: `$TESSERA_CHROMIUM` when set, else the first of {@link CHROMIUM_PATHS} that exists. */
export function findChromium (env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TESSERA_CHROMIUM !== undefined && env.TESSERA_CHROMIUM !== '') return env.TESSERA_CHROMIUM
  return CHROMIUM_PATHS.find((path) => existsSync(path))
}

/** Flags of a headless Chromium here: as root (CI, containers) its sandbox cannot start. */
export function chromiumArgs (): string[] {
  return [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu', '--hide-scrollbars', '--font-render-hinting=none']
}

type Puppeteer = typeof import('puppeteer-core')

/** Loads puppeteer-core, or throws {@link BrowserUnavailableError}. */
export async function loadPuppeteer (): Promise<Puppeteer> {
  try {
    return await import('puppeteer-core')
  } catch (err) {
    throw new BrowserUnavailableError(`puppeteer-core is not installed (it is a development dependency: run npm ci in the repository): ${describeError(err)}`, { cause: err })
  }
}

/** Launches headless Chromium, or throws {@link BrowserUnavailableError} naming what is missing. */
export async function launchChromium (): Promise<import('puppeteer-core').Browser> {
  const executablePath = findChromium()
  if (executablePath === undefined) {
    throw new BrowserUnavailableError(`no Chromium found at ${CHROMIUM_PATHS.join(', ')} (install Debian's package: apt-get install chromium; or set TESSERA_CHROMIUM)`)
  }
  const puppeteer = await loadPuppeteer()
  try {
    return await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs() })
  } catch (err) {
    throw new BrowserUnavailableError(`Chromium at ${executablePath} did not start: ${describeError(err)}`, { cause: err })
  }
}

/** Options of {@link screenshotDashboard}. */
export interface ScreenshotOptions {
  widthPx?: number
  heightPx?: number
  timeoutMs?: number
}

/** Opens the dashboard at `url`, waits for its first state and saves a full-page PNG at `path`. */
export async function screenshotDashboard (url: string, path: string, options: ScreenshotOptions = {}): Promise<void> {
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: options.widthPx ?? 1440, height: options.heightPx ?? 900, deviceScaleFactor: 1 })
    const timeout = options.timeoutMs ?? SCREENSHOT_TIMEOUT_MS
    await page.goto(url, { waitUntil: 'load', timeout })
    await page.waitForSelector('body[data-ready="1"]', { timeout })
    await page.screenshot({ path: path as `${string}.png`, fullPage: true })
  } finally {
    await browser.close()
  }
}
