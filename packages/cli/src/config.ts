/**
 * Settings without long command lines: every flag of every command can also come from an environment variable
 * (`--max-cpu` ← `TESSERA_MAX_CPU`, `--bootstrap` ← `TESSERA_BOOTSTRAP`, …) or from a JSON file (`--config <file>`,
 * else `tessera.config.json` in the data dir; keys are the flags in camelCase: `{"bootstrap": ["…"], "maxCpu": 2}`).
 * A flag on the command line wins over the environment, which wins over the file. Values from the environment and
 * the file go through the flag's own parser before anything runs, and a bad one is an error naming where it came from.
 *
 * They are handed to commander as command-line flags (`--max-cpu=2`) placed before the user's own, so commander
 * checks required options, choices and parsers exactly as for typed flags.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultDataDir } from './commands/options.js'
import { InvalidCliOptionError } from './errors.js'
import type { Command, Option } from 'commander'

/** The settings file looked for in the data dir. */
export const CONFIG_FILE_NAME = 'tessera.config.json'

/** Prefix of every environment variable. */
export const ENV_PREFIX = 'TESSERA_'

/** Options that repeat on the command line: comma-separated in the environment, arrays in the file. */
export const REPEATABLE_OPTIONS: ReadonlySet<string> = new Set(['listen', 'announce', 'bootstrap'])

/** Options of every command that are not settings. */
const NOT_SETTINGS: ReadonlySet<string> = new Set(['help', 'version', 'config'])

/** `--max-cpu` → `TESSERA_MAX_CPU`. */
export function envVarOf (option: Pick<Option, 'long'>): string {
  return ENV_PREFIX + (option.long ?? '').replace(/^--/, '').replace(/-/g, '_').toUpperCase()
}

/** Adds `--config <file>` to every subcommand of `program`; call after registering them. */
export function addConfigOption (program: Command): void {
  for (const command of program.commands) {
    command.option('--config <file>', `settings file (JSON, keys are the flags in camelCase; default: ${CONFIG_FILE_NAME} in the data dir, if there). Every flag can also be set as ${ENV_PREFIX}<FLAG>; flags win over the environment, which wins over the file`)
  }
}

interface Setting {
  option: Option
  /** Values as typed after the flag; `true`/`false` for a flag without a value. */
  values: string[] | boolean
  /** Where it came from, for error messages. */
  source: string
}

/**
 * `argv` with the settings from the environment and the settings file of the command it runs added as flags.
 * Throws {@link InvalidCliOptionError} for a bad value, a file that does not parse, or a key no command knows.
 */
export function withSettings (program: Command, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const command = program.commands.find((c) => c.name() === argv[2] || c.aliases().includes(argv[2]))
  if (command === undefined) return [...argv]
  const userArgs = argv.slice(3)
  const settable = command.options.filter((o) => o.long !== undefined && !NOT_SETTINGS.has(o.attributeName()) && !isPresent(command, o, userArgs))
  const fromEnv = new Map<string, Setting>()
  for (const option of settable) {
    const raw = env[envVarOf(option)]
    if (raw !== undefined) fromEnv.set(option.attributeName(), { option, values: valuesFromEnv(option, raw), source: envVarOf(option) })
  }
  const file = configFile(command, userArgs, env)
  const settings = new Map(file === undefined ? [] : valuesFromFile(program, settable, file))
  for (const [key, setting] of fromEnv) settings.set(key, setting)
  const tokens: string[] = []
  for (const setting of settings.values()) tokens.push(...toFlags(command, setting))
  return [...argv.slice(0, 3), ...tokens, ...userArgs]
}

/** Whether the user typed the option (or its `--no-` form) on the command line. */
function isPresent (command: Command, option: Option, args: readonly string[]): boolean {
  const flags = command.options.filter((o) => o.attributeName() === option.attributeName()).flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined)
  return args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)))
}

function takesValue (option: Option): boolean {
  return option.required || option.optional
}

function valuesFromEnv (option: Option, raw: string): string[] | boolean {
  const source = envVarOf(option)
  if (!takesValue(option)) return parseBoolean(raw, source)
  if (REPEATABLE_OPTIONS.has(option.attributeName())) return raw.split(',').map((v) => v.trim()).filter((v) => v !== '')
  return [raw]
}

function parseBoolean (raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false
  throw new InvalidCliOptionError(`${source}: expected true or false, got ${JSON.stringify(raw)}`)
}

/** The settings file to read: `--config` (or TESSERA_CONFIG), which must exist, else the data dir's, if there. */
function configFile (command: Command, args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const explicit = flagValue(args, '--config') ?? env[`${ENV_PREFIX}CONFIG`]
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new InvalidCliOptionError(`the settings file ${explicit} does not exist`)
    return explicit
  }
  const hasDataDir = command.options.some((o) => o.attributeName() === 'dataDir')
  const dataDir = (hasDataDir ? flagValue(args, '--data-dir') ?? env[`${ENV_PREFIX}DATA_DIR`] : undefined) ?? defaultDataDir(env)
  const path = join(dataDir, CONFIG_FILE_NAME)
  return existsSync(path) ? path : undefined
}

/** The value of `--flag v` or `--flag=v` in `args` (the last one). */
function flagValue (args: readonly string[], flag: string): string | undefined {
  let value: string | undefined
  args.forEach((a, i) => {
    if (a === flag && i + 1 < args.length) value = args[i + 1]
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1)
  })
  return value
}

/** The file's settings for the options of this command; keys of other commands are skipped, unknown keys refused. */
function valuesFromFile (program: Command, settable: Option[], path: string): Array<[string, Setting]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new InvalidCliOptionError(`the settings file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidCliOptionError(`the settings file ${path} must hold a JSON object`)
  const known = new Set(program.commands.flatMap((c) => c.options.map((o) => o.attributeName())).filter((k) => !NOT_SETTINGS.has(k)))
  const out: Array<[string, Setting]> = []
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new InvalidCliOptionError(`${path}: unknown setting ${JSON.stringify(key)}; settings are the flags in camelCase, e.g. ${[...known].slice(0, 6).join(', ')}`)
    const option = settable.find((o) => o.attributeName() === key)
    if (option === undefined) continue
    out.push([key, { option, values: fileValues(option, value, `${path}: "${key}"`), source: `${path}: "${key}"` }])
  }
  return out
}

function fileValues (option: Option, value: unknown, source: string): string[] | boolean {
  if (!takesValue(option)) {
    if (typeof value !== 'boolean') throw new InvalidCliOptionError(`${source}: expected true or false, got ${JSON.stringify(value)}`)
    return value
  }
  if (option.optional && typeof value === 'boolean') return value
  const list = Array.isArray(value) ? value : [value]
  if (Array.isArray(value) && !REPEATABLE_OPTIONS.has(option.attributeName())) throw new InvalidCliOptionError(`${source}: expected one value, got a list`)
  return list.map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidCliOptionError(`${source}: expected a string or a number, got ${JSON.stringify(v)}`)
    return String(v)
  })
}

/** The flags for one setting, after checking each value with the option's own parser. */
function toFlags (command: Command, setting: Setting): string[] {
  const { option, values, source } = setting
  const long = option.long as string
  if (typeof values === 'boolean') {
    if (values) return [long]
    const negated = command.options.find((o) => o.negate && o.attributeName() === option.attributeName())
    return negated?.long !== undefined ? [negated.long] : []
  }
  let previous: unknown
  for (const v of values) {
    try {
      // commander's parsers (choices included) throw InvalidArgumentError with the reason.
      previous = option.parseArg !== undefined ? option.parseArg(v, previous) : v
    } catch (err) {
      const message = (err as Error).message
      throw new InvalidCliOptionError(`${source} (${long}): ${message}${message.includes(JSON.stringify(v)) ? '' : ` (got ${JSON.stringify(v)})`}`, { cause: err })
    }
  }
  return values.map((v) => `${long}=${v}`)
}
