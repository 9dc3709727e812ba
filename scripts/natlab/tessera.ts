/** Real `tessera node` processes inside lab hosts, read through their `--json` status lines. */
import { fileURLToPath } from 'node:url'
import { JsonLineProcess } from './json-lines.js'
import type { JsonLine } from './json-lines.js'
import type { Lab } from './lab.js'

/** One `--json` status line of `tessera node`. */
export type NodeLine = JsonLine

/** Port tessera nodes of the lab listen on (each host has its own address, so they may share it). */
export const LAB_NODE_PORT = 4001

/** How long a node may take to print `listening` (libp2p start, kernel calibration, worker start). */
export const NODE_START_TIMEOUT_MS = 30_000

/** How long `stop` waits after SIGTERM before SIGKILL. */
const NODE_STOP_GRACE_MS = 5000

/** argv of the node CLI with this process's Node (the repository's Node 24). */
export function tesseraBinArgv (): string[] {
  return [process.execPath, fileURLToPath(new URL('../../../packages/cli/bin/tessera.js', import.meta.url))]
}

/** A running `tessera node --json` inside a lab host; every stdout line is kept in `lines`. */
export class TesseraProcess extends JsonLineProcess {
  /** When the process was spawned (`Date.now()`), for times measured from a node's start. */
  startedAtMs = Date.now()

  /** The latest line with this event that `match` accepts, waiting up to `timeoutMs` for one. */
  async waitFor (event: string, timeoutMs: number, match: (line: NodeLine) => boolean = () => true): Promise<NodeLine> {
    return await this.waitUntil(() => this.lines.findLast((l) => l.event === event && match(l)), timeoutMs,
      () => `tessera node printed no matching ${event} line (last ${event}: ${JSON.stringify(this.lines.filter((l) => l.event === event).at(-1))})`)
  }

  /** SIGTERM (the CLI stops libp2p and exits), SIGKILL after a grace period. */
  async stop (): Promise<void> {
    await this.stopWith(() => { this.child.kill('SIGTERM') }, NODE_STOP_GRACE_MS)
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

/**
 * The reachability a node reported last, once it has settled to `reachability` (and `natKind`, if given); with
 * `circuit`, once it also lists a `/p2p-circuit` address (a reservation holds).
 */
export async function waitForReachability (node: TesseraProcess, reachability: string, natKind: string | undefined, timeoutMs: number, circuit = false): Promise<NodeLine> {
  return await node.waitFor('reachability', timeoutMs, (l) => l.reachability === reachability && (natKind === undefined || l.natKind === natKind) &&
    (!circuit || circuitAddrs(l).length > 0))
}

/** The `/p2p-circuit` addresses of a reachability line. */
export function circuitAddrs (line: NodeLine): string[] {
  return Array.isArray(line.addrs) ? line.addrs.map(String).filter((a) => a.includes('/p2p-circuit')) : []
}
