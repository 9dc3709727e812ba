/**
 * The `tessera` command line: a commander program whose subcommands live in `src/commands/*.ts`, one registrar per
 * file (`registerXCommand(program: Command): void`). Usage errors exit with code 2 after commander's message.
 */
import { readFileSync } from 'node:fs'
import { logger } from '@libp2p/logger'
import { describeError } from '@tessera/errors'
import { Command, CommanderError } from 'commander'
import { registerAccuracyCommand } from './commands/accuracy.js'
import { registerDashboardCommand } from './commands/dashboard.js'
import { registerDemoCommand } from './commands/demo.js'
import { registerNodeCommand } from './commands/node.js'
import { registerPeersCommand } from './commands/peers.js'
import { registerRunCommand } from './commands/run.js'
import { registerSimCommand } from './commands/sim.js'
import { registerStatusCommand } from './commands/status.js'
import { addConfigOption, withSettings } from './config.js'
import { InvalidNodeOptionError } from '@tessera/peer'
import { InvalidCliOptionError } from './errors.js'

const log = logger('tessera:cli')

/** Exit code of a usage error (bad flag, bad value, unknown command). */
export const EXIT_USAGE = 2

function packageVersion (): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch (err) {
    // Only `--version` needs it; every command works without.
    log.error('could not read the package version - %e', err)
    return '0.0.0'
  }
}

/** Builds the program with every subcommand registered (throws CommanderError instead of exiting). */
export function createProgram (): Command {
  const program = new Command('tessera')
    .description('a peer-to-peer network of emulated RRAM/PCM crossbar tiles that hold and run AI weight matrices')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
  // Set before registering subcommands: commander copies it to each one it creates.
  program.exitOverride()
  registerNodeCommand(program)
  registerPeersCommand(program)
  registerAccuracyCommand(program)
  registerRunCommand(program)
  registerDemoCommand(program)
  registerSimCommand(program)
  registerDashboardCommand(program)
  registerStatusCommand(program)
  addConfigOption(program)
  return program
}

/** Runs the CLI and resolves to the process exit code. */
export async function runCli (argv: string[] = process.argv): Promise<number> {
  const program = createProgram()
  try {
    await program.parseAsync(withSettings(program, argv))
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed help, the version or its error message already.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0
      return err.code === 'commander.executeSubCommandAsync' ? err.exitCode : EXIT_USAGE
    }
    // The message (with its causes) is for the person at the terminal; DEBUG=tessera:cli adds the stack.
    log('the command failed - %e', err)
    if (err instanceof InvalidNodeOptionError || err instanceof InvalidCliOptionError) {
      process.stderr.write(`error: ${err.message}\n`)
      return EXIT_USAGE
    }
    process.stderr.write(`error: ${describeError(err)}\n`)
    return 1
  }
}
