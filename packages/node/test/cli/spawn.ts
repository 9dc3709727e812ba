import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

/** The CLI entry next to the tests: compiled bin.js, or bin.ts through tsx when the tests run from source. */
function entry (): { args: string[] } {
  const fromSource = import.meta.url.endsWith('.ts')
  const bin = fileURLToPath(new URL(fromSource ? '../../src/bin.ts' : '../../src/bin.js', import.meta.url))
  return { args: fromSource ? ['--conditions=development', '--import', 'tsx', bin] : [bin] }
}

/** Starts `tessera <args>` with this Node (24), stdout and stderr piped. */
export function spawnTessera (args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...entry().args, ...args], { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1', ...env } })
}

/** Runs `tessera <args>` to completion (bounded by `timeoutMs`), with `env` added to this process's environment. */
export async function runTessera (args: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawnTessera(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += String(d) })
  child.stderr.on('data', (d) => { stderr += String(d) })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => { resolve(c) }))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** JSON lines of a running child's stdout, awaited one predicate at a time. */
export class JsonLines {
  readonly lines: any[] = []
  private waiters: Array<{ match: (l: any) => boolean, resolve: (l: any) => void }> = []
  private buffer = ''

  constructor (child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d) => {
      this.buffer += String(d)
      let nl
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const text = this.buffer.slice(0, nl)
        this.buffer = this.buffer.slice(nl + 1)
        const line = JSON.parse(text)
        this.lines.push(line)
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(line)) return true
          w.resolve(line)
          return false
        })
      }
    })
  }

  /** Resolves with the first line (past or future) that matches; rejects after `timeoutMs`. */
  async next (what: string, match: (l: any) => boolean, timeoutMs = 20_000): Promise<any> {
    const seen = this.lines.find(match)
    if (seen !== undefined) return seen
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`timed out waiting for ${what}; lines so far: ${JSON.stringify(this.lines)}`)) }, timeoutMs)
      this.waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l) } })
    })
  }
}
