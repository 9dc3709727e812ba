/** Real `tessera node` processes inside lab hosts, read through their `--json` status lines. */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NatlabError } from './errors.js'
import type { Lab } from './lab.js'
import type { ChildProcess } from 'node:child_process'

/** One `--json` status line of `tessera node`. */
export type NodeLine = Record<string, unknown> & { event: string }

/** Port tessera nodes of the lab listen on (each host has its own address, so they may share it). */
export const LAB_NODE_PORT = 4001

/** How long a node may take to print `listening` (libp2p start, kernel calibration, worker start). */
export const NODE_START_TIMEOUT_MS = 30_000

/** How long `stop` waits after SIGTERM before SIGKILL. */
const NODE_STOP_GRACE_MS = 5000

/** argv of the node CLI with this process's Node (the repository's Node 24). */
export function tesseraBinArgv (): string[] {
  return [process.execPath, fileURLToPath(new URL('../../../packages/node/dist/src/bin.js', import.meta.url))]
}

/** A running `tessera node --json` inside a lab host; every stdout line is kept in `lines`. */
export class TesseraProcess {
  readonly lines: NodeLine[] = []
  peerId = ''
  private readonly waiters: Array<() => void> = []
  private stderr = ''

  constructor (readonly host: string, readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-4000) })
    if (child.stdout === null) throw new NatlabError('tessera node stdout is not piped')
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as NodeLine)
      } catch {
        this.lines.push({ event: 'unparsed', text })
      }
      for (const wake of this.waiters.splice(0)) wake()
    })
    child.once('exit', () => { for (const wake of this.waiters.splice(0)) wake() })
  }

  /** The latest line with this event that `match` accepts, waiting up to `timeoutMs` for one. */
  async waitFor (event: string, timeoutMs: number, match: (line: NodeLine) => boolean = () => true): Promise<NodeLine> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const found = this.lines.findLast((l) => l.event === event && match(l))
      if (found !== undefined) return found
      const left = deadline - performance.now()
      if (left <= 0 || this.child.exitCode !== null || this.child.signalCode !== null) {
        const last = this.lines.filter((l) => l.event === event).at(-1)
        throw new NatlabError(`${this.host}: tessera node printed no matching ${event} line within ${timeoutMs} ms (exit ${String(this.child.exitCode)}); last ${event}: ${JSON.stringify(last)}; stderr: ${this.stderr.trim().slice(-1000)}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  /** SIGTERM (the CLI stops libp2p and exits), SIGKILL after a grace period. */
  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, NODE_STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
  }
}

/** Starts `tessera node --network public --json ARGS` in a lab host and waits for its `listening` line. */
export async function startTesseraNode (lab: Lab, host: string, args: readonly string[]): Promise<TesseraProcess> {
  const node = new TesseraProcess(host, lab.exec(host, [...tesseraBinArgv(), 'node', '--network', 'public', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }))
  try {
    const listening = await node.waitFor('listening', NODE_START_TIMEOUT_MS)
    node.peerId = String(listening.peerId)
  } catch (err) {
    await node.stop()
    throw err
  }
  return node
}

/** The reachability a node reported last, once it has settled to `reachability` (and `natKind`, if given). */
export async function waitForReachability (node: TesseraProcess, reachability: string, natKind: string | undefined, timeoutMs: number): Promise<NodeLine> {
  return await node.waitFor('reachability', timeoutMs, (l) => l.reachability === reachability && (natKind === undefined || l.natKind === natKind))
}
