/**
 * The `tessera` command line: a commander program whose subcommands live in `src/commands/*.ts`, one registrar per
 * file (`registerXCommand(program: Command): void`). Usage errors exit with code 2 after commander's message.
 */
import { readFileSync } from 'node:fs'
import { logger } from '@libp2p/logger'
import { describeError, TesseraError } from '@tessera/errors'
import { Command, CommanderError } from 'commander'
import { registerAccuracyCommand } from './commands/accuracy.js'
import { registerDashboardCommand } from './commands/dashboard.js'
import { registerDemoCommand } from './commands/demo.js'
import { registerNodeCommand } from './commands/node.js'
import { registerPaperCommand } from './commands/paper.js'
import { registerPeersCommand } from './commands/peers.js'
import { registerRunCommand } from './commands/run.js'
import { registerSimCommand } from './commands/sim.js'
import { registerStatusCommand } from './commands/status.js'
import { addConfigOption, withSettings } from './config.js'
import { InvalidNodeOptionError } from '@tessera/peer'
import { InvalidCliOptionError } from './errors.js'

const log = logger('tessera:cli')

/**
 * One error for a person. Tessera's own errors carry complete messages (the path or address and the cause); other
 * errors are followed down their cause chain. Lines of a stack trace that a library put into a message are dropped.
 */
export function describeForTerminal (err: unknown): string {
  const text = err instanceof TesseraError ? err.message : describeError(err)
  return text.split('\n').filter((line) => !/^\s+at\s/.test(line)).join('\n').trimEnd()
}

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
  registerPaperCommand(program)
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
    // The reason is for the person at the terminal; DEBUG=tessera:* (or tessera:cli) adds the stack.
    log('the command failed - %e', err)
    process.stderr.write(`error: ${describeForTerminal(err)}\n`)
    return err instanceof InvalidNodeOptionError || err instanceof InvalidCliOptionError ? EXIT_USAGE : 1
  }
}
