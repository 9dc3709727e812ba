/**
 * The `tessera` command: `node` (run a volunteer peer), `peers`, `run`, `demo`, `sim` and `accuracy`. Only this
 * package renders: terminal tables, progress bars and HTML reports; the other packages report through events,
 * callbacks and plain data.
 *
 * @example
 * ```ts
 * import { runCli } from '@tessera/cli'
 *
 * process.exitCode = await runCli(['node', 'tessera', 'peers', '--bootstrap', addr])
 * ```
 *
 * @packageDocumentation
 */
export { createProgram, runCli, EXIT_USAGE } from './cli.js'
export { BootstrapUnreachableError, InvalidCliOptionError } from './errors.js'
