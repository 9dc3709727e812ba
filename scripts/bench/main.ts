/**
 * The bench CLI: `npm run bench -- <benchmark> [--json]`. Benchmarks are not tests: they measure and print,
 * they assert nothing. Each benchmark lives in its own file and registers one subcommand below.
 */
import { Command } from 'commander'
import { registerDhtFloodCommand } from './dht-flood.js'
import { registerAbuseCommand } from './abuse.js'
import { registerKernelCommand } from './kernel.js'
import { registerNetworkCommand } from './network.js'
import { registerNodeCommand } from './node.js'
import { registerPlannerCommand } from './planner.js'

/** One entry per benchmark subcommand; a new benchmark adds its register function here. */
const SUBCOMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerDhtFloodCommand,
  registerAbuseCommand,
  registerKernelCommand,
  registerNetworkCommand,
  registerNodeCommand,
  registerPlannerCommand
]

/** What `npm run bench` runs with no benchmark named: every fast benchmark in turn. */
const DEFAULT_BENCHMARKS = ['kernel', 'planner']

function createProgram (): Command {
  const program = new Command('bench')
    .description('tessera benchmarks (one core unless stated; --json prints machine-readable results to stdout). ' +
      `With no benchmark named, runs ${DEFAULT_BENCHMARKS.join(' and ')}.`)
  for (const register of SUBCOMMANDS) register(program)
  return program
}

const [runtime, script, ...args] = process.argv
if (args.every((arg) => arg === '--json')) {
  for (const name of DEFAULT_BENCHMARKS) await createProgram().parseAsync([runtime, script, name, ...args])
} else {
  await createProgram().parseAsync(process.argv)
}
