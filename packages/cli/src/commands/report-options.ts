/**
 * The flags the commands that use the trained MNIST model share (`--cache-dir`: `accuracy`, `demo`, `sim`, `paper`,
 * `run`), and those of the commands that compare policies and write a report folder (`demo`, `sim`, `paper`).
 */
import { join } from 'node:path'
import { POLICY_NAMES } from '@tessera/scheduler'
import { Option } from 'commander'
import type { Command } from 'commander'
import { parsePolicies } from './options.js'

/** Default trained-model cache (relative to the working directory). */
export const DEFAULT_MODEL_CACHE_DIR = join('reports', 'cache', 'models')

/** `--cache-dir <dir>`: where trained models are kept, so that a model is trained once. */
export function cacheDirOption (): Option {
  return new Option('--cache-dir <dir>', 'trained-model cache').default(DEFAULT_MODEL_CACHE_DIR)
}

/** `--policies <list>`: the placement policies to compare (default all). */
export function policiesOption (): Option {
  return new Option('--policies <list>', 'policies to run, comma-separated').argParser(parsePolicies).default([...POLICY_NAMES])
}

/**
 * Adds `--json` (the result alone on stdout), `--out <dir>` (the report folder, default `outDir`), `--cache-dir`
 * and `--no-progress`.
 */
export function addReportOptions (command: Command, outDir: string): Command {
  return command
    .option('--json', 'print the result as JSON on stdout (nothing else)', false)
    .option('--out <dir>', 'report folder', outDir)
    .addOption(cacheDirOption())
    .option('--no-progress', 'no progress messages on stderr')
}
