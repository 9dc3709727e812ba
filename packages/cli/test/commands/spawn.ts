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

/** The lines `tessera node --json` prints (packages/cli/src/commands/node.ts), one type per event. */
export type NodeEventLine =
  | { event: 'listening', peerId: string, addrs: string[], maxCpu: number, metricsAddress?: string }
  | { event: 'reachability', reachability: string, natKind: string, addrs: string[] }
  | { event: 'record-published', sequence: number, tilesFree: number, tilesTotal: number, peersAcked: number, provided: boolean }
  | { event: 'record-error', message: string }
  | { event: 'lease-expired', owner: string, shardId: string, tilesFreed: number }
  | { event: 'peer-connect', peerId: string }
  | { event: 'peer-disconnect', peerId: string }
  | { event: 'leaving', signal: string, drainTimeoutMs: number }
  | { event: 'stopped', drained: boolean, leavingPublished: boolean, peersAcked: number }

/** The lines `tessera dashboard --json` prints (packages/cli/src/commands/dashboard.ts), one type per event. */
export type DashboardEventLine =
  | { event: 'dashboard', url: string }
  | { event: 'notice', level: 'info' | 'warning' | 'error', text: string }
  | { event: 'stopping', signal: string }

/** The line of one event. */
export type EventLineOf<L extends { event: string }, E extends L['event']> = Extract<L, { event: E }>

/** JSON lines of a running child's stdout (the events of `tessera node --json` unless told), awaited one predicate at a time. */
export class JsonLines<L extends { event: string } = NodeEventLine> {
  readonly lines: L[] = []
  private waiters: Array<{ match: (l: L) => boolean, resolve: (l: L) => void }> = []
  private buffer = ''

  constructor (child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d) => {
      this.buffer += String(d)
      let nl
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const text = this.buffer.slice(0, nl)
        this.buffer = this.buffer.slice(nl + 1)
        const line = JSON.parse(text) as L
        this.lines.push(line)
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(line)) return true
          w.resolve(line)
          return false
        })
      }
    })
  }

  /** Resolves with the first `event` line (past or future) that `match` accepts; rejects after `timeoutMs`. */
  async next<E extends L['event']> (what: string, event: E, match: (l: EventLineOf<L, E>) => boolean = () => true, timeoutMs = 20_000): Promise<EventLineOf<L, E>> {
    const accepts = (l: L): boolean => l.event === event && match(l as EventLineOf<L, E>)
    const seen = this.lines.find(accepts)
    if (seen !== undefined) return seen as EventLineOf<L, E>
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`timed out waiting for ${what}; lines so far: ${JSON.stringify(this.lines)}`)) }, timeoutMs)
      this.waiters.push({ match: accepts, resolve: (l) => { clearTimeout(timer); resolve(l as EventLineOf<L, E>) } })
    })
  }
}
