/** The options `demo` and `sim` share: both run every chosen policy and write a comparison report. */
import type { Command } from 'commander'
import { addReportOptions, policiesOption } from './report-options.js'
import { dashboardOption } from '../dashboard/cli-options.js'

/** What {@link addPolicyComparisonOptions} adds, as commander parses it (with the `--scenario` and `--seed` both take). */
export interface PolicyComparisonOptions {
  scenario: string
  seed?: string
  policies: string[]
  json: boolean
  out: string
  cacheDir: string
  progress: boolean
  /** `--no-verify` sets it false: no run checks its answers (the loopback runs; the simulator does not verify). */
  verify: boolean
  dashboard?: number
}

/** Adds `--policies`, `--json`, `--out` (default `outDir`), `--cache-dir`, `--no-progress`, `--no-verify` and `--dashboard`. */
export function addPolicyComparisonOptions (command: Command, outDir: string): Command {
  return addReportOptions(command.addOption(policiesOption()), outDir)
    .option('--no-verify', 'do not verify answers (by default tessera checks every answer against its peer\'s device model, see docs/verification.md)')
    .addOption(dashboardOption())
}
