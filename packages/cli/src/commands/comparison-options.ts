/** The options `demo` and `sim` share: both run every chosen policy and write a comparison report. */
import { POLICY_NAMES } from '@tessera/scheduler'
import type { Command } from 'commander'
import { DEFAULT_MODEL_CACHE_DIR } from './accuracy.js'
import { parsePolicies } from './options.js'
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
  dashboard?: number
}

/** Adds `--policies`, `--json`, `--out` (default `outDir`), `--cache-dir`, `--no-progress` and `--dashboard`. */
export function addPolicyComparisonOptions (command: Command, outDir: string): Command {
  return command
    .option('--policies <list>', 'policies to run, comma-separated', parsePolicies, [...POLICY_NAMES])
    .option('--json', 'print the result as JSON on stdout (nothing else)', false)
    .option('--out <dir>', 'report folder', outDir)
    .option('--cache-dir <dir>', 'trained-model cache', DEFAULT_MODEL_CACHE_DIR)
    .option('--no-progress', 'no progress messages on stderr')
    .addOption(dashboardOption())
}
