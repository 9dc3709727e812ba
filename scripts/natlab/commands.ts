/** Running system programs (ip, nft, sysctl, tc) with argument arrays: never through a shell. */
import { spawn } from 'node:child_process'
import { accessSync, constants as fsConstants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { RUN_TIMEOUT_MS } from './constants.js'
import { CommandFailedError, LabPrerequisiteError } from './errors.js'

/** Output of a finished command. */
export interface RunResult {
  stdout: string
  stderr: string
  /** Exit code, or null when a signal ended it (for example the timeout's SIGKILL). */
  code: number | null
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string
  /** Kills the command (SIGKILL) after this long (default 30 s). */
  timeoutMs?: number
}

/** Runs `argv` and collects its output; never throws for a non-zero exit. */
export async function runCommand (argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv
  return await new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs ?? RUN_TIMEOUT_MS)
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(err.code === 'ENOENT' ? new LabPrerequisiteError(`${file} is not installed: run \`bash .ci/natlab-deps.sh\``) : err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ stdout, stderr, code })
    })
    // A command that exits before reading its stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** Runs `argv` and throws {@link CommandFailedError} unless it exits 0; returns stdout. */
export async function mustRun (argv: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runCommand(argv, options)
  if (result.code !== 0) throw new CommandFailedError(argv, result.code, result.stderr)
  return result.stdout
}

/** Absolute path of `program` on PATH (plus the sbin directories root's PATH sometimes lacks), or undefined. */
export function findProgram (program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']
  for (const dir of dirs) {
    if (dir === '') continue
    const candidate = join(dir, program)
    try {
      accessSync(candidate, fsConstants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** The programs every lab operation needs, resolved once. */
export interface Tools {
  ip: string
  nft: string
  sysctl: string
  tc: string
}

/** Throws {@link LabPrerequisiteError} unless this process runs as root (the lab and its tests need it). */
export function requireRoot (): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new LabPrerequisiteError(`the NAT lab needs root (network namespaces, veth pairs, nftables); this process runs as uid ${process.getuid()}. CI runs the lab tests as root after \`bash .ci/natlab-deps.sh\`.`)
  }
}

/**
 * Checks that we are root and that iproute2, nftables and procps are installed. Throws {@link LabPrerequisiteError}
 * with a message that says what to do.
 */
export function requireTools (): Tools {
  requireRoot()
  const need = { ip: 'iproute2', nft: 'nftables', sysctl: 'procps', tc: 'iproute2' } as const
  const found: Partial<Tools> = {}
  const missing: string[] = []
  for (const [program, pkg] of Object.entries(need) as Array<[keyof Tools, string]>) {
    const path = findProgram(program)
    if (path === undefined) missing.push(`${program} (${pkg})`)
    else found[program] = path
  }
  if (missing.length > 0) {
    throw new LabPrerequisiteError(`the NAT lab needs ${missing.join(', ')}: run \`bash .ci/natlab-deps.sh\` as root`)
  }
  return found as Tools
}
