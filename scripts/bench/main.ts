/**
 * The bench CLI: `npm run bench -- <benchmark> [--json]`. Benchmarks are not tests: they measure and print,
 * they assert nothing. Each benchmark lives in its own file and registers one subcommand below.
 */
import { Command } from 'commander'
import { registerKernelCommand } from './kernel.js'
import { registerPlannerCommand } from './planner.js'

/** One entry per benchmark subcommand; a new benchmark adds its register function here. */
const SUBCOMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerKernelCommand,
  registerPlannerCommand
]

const program = new Command('bench')
  .description('tessera benchmarks (one core unless stated; --json prints machine-readable results to stdout)')
for (const register of SUBCOMMANDS) register(program)
await program.parseAsync(process.argv)
