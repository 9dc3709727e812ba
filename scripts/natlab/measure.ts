/**
 * Measurements inside a lab, each run by a probe program in a lab host: what address a NAT maps a flow to,
 * whether a connection gets through (and how it fails), what a STUN server sees, and a TCP simultaneous open
 * between two hosts. They return raw observations; the self-check and the tests judge them.
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { CONNECT_PROBE_TIMEOUT_MS, PROBE_SERVER_LIFETIME_MS, PUNCH_TIMEOUT_MS } from './constants.js'
import { LabProcessError } from './errors.js'
import type { Lab } from './lab.js'
import { probeArgv } from './probe-path.js'
import type { ProbeName } from './probe-path.js'

/** An IPv4 address and port. */
export interface Endpoint {
  address: string
  port: number
}

/** Slack on top of a probe's own timeout before we give up on it (Node start-up inside the namespace). */
const PROBE_SLACK_MS = 5000

function label (endpoint: Endpoint): string {
  return `${endpoint.address}:${endpoint.port}`
}

/** Reads a child's stdout as JSON lines, one at a time, each within a deadline. */
class JsonLines {
  private readonly queue: unknown[] = []
  private readonly waiters: Array<(value: unknown) => void> = []
  private closed = false
  private stderr = ''

  constructor (private readonly child: ChildProcess, private readonly what: string) {
    if (child.stdout === null) throw new LabProcessError(`${what}: stdout is not piped`)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk })
    createInterface({ input: child.stdout }).on('line', (line) => {
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        value = new LabProcessError(`${what} printed a line that is not JSON: ${line}`)
      }
      const waiter = this.waiters.shift()
      if (waiter !== undefined) waiter(value)
      else this.queue.push(value)
    }).on('close', () => {
      this.closed = true
      for (const waiter of this.waiters.splice(0)) waiter(undefined)
    })
  }

  async next<T> (timeoutMs: number): Promise<T> {
    let value: unknown
    if (this.queue.length > 0) {
      value = this.queue.shift()
    } else if (this.closed) {
      value = undefined
    } else {
      let timer: NodeJS.Timeout | undefined
      value = await new Promise((resolve) => {
        this.waiters.push(resolve)
        timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(resolve), 1)
          resolve(new LabProcessError(`${this.what} printed nothing within ${timeoutMs} ms${this.stderr === '' ? '' : `: ${this.stderr.trim()}`}`))
        }, timeoutMs)
      })
      clearTimeout(timer)
    }
    if (value instanceof Error) throw value
    if (value === undefined) throw new LabProcessError(`${this.what} exited without the expected output${this.stderr === '' ? '' : `: ${this.stderr.trim()}`}`)
    const record = value as { event?: string, message?: string }
    if (record.event === 'error') throw new LabProcessError(`${this.what} failed: ${record.message ?? 'unknown error'}`)
    return value as T
  }
}

function startProbe (lab: Lab, host: string, probe: ProbeName, args: string[]): { child: ChildProcess, lines: JsonLines } {
  const child = lab.exec(host, [...probeArgv(probe), ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  return { child, lines: new JsonLines(child, `probe ${probe} in ${host}`) }
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
}

/** A running echo server that reports each client's observed address. */
export interface EchoServer {
  host: string
  endpoint: Endpoint
  stop: () => Promise<void>
}

/**
 * Starts an echo server on a host (listening on all its addresses) and waits until it listens; its endpoint is
 * the host's public address, or its LAN address for a LAN peer.
 */
export async function startEchoServer (lab: Lab, host: string, port: number, lifetimeMs = PROBE_SERVER_LIFETIME_MS): Promise<EchoServer> {
  const address = lab.hosts[host]?.publicAddress ?? lab.hosts[host]?.lanAddress
  if (address === undefined) throw new LabProcessError(`no host ${host} in the lab`)
  const { child, lines } = startProbe(lab, host, 'echo', ['--port', String(port), '--lifetime-ms', String(lifetimeMs)])
  try {
    const ready = await lines.next<{ port: number }>(PROBE_SLACK_MS)
    return { host, endpoint: { address, port: ready.port }, stop: async () => { await stopChild(child) } }
  } catch (err) {
    await stopChild(child)
    throw err
  }
}

/** What one echo server saw of a flow. */
export interface Observation {
  target: string
  /** The local port the flow left from, as the client's kernel bound it. */
  localPort?: number
  /** Address and port the server saw (after NAT). */
  address?: string
  port?: number
  error?: string
}

/**
 * Connects from `localPort` on `host` to each target in turn (all flows held open until the last is observed)
 * and returns what each target saw.
 */
export async function observeMappings (lab: Lab, host: string, localPort: number, targets: Endpoint[], timeoutMs = CONNECT_PROBE_TIMEOUT_MS): Promise<Observation[]> {
  const { child, lines } = startProbe(lab, host, 'observe', ['--local-port', String(localPort), '--timeout-ms', String(timeoutMs), ...targets.flatMap((t) => ['--target', label(t)])])
  try {
    const result = await lines.next<{ observations: Observation[] }>(timeoutMs * targets.length + PROBE_SLACK_MS)
    return result.observations
  } finally {
    await stopChild(child)
  }
}

/** How a connection attempt ended. */
export interface ConnectOutcome {
  outcome: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error'
  code?: string
  ms: number
}

/** Tries one TCP connection from `host` to `target`. */
export async function tryConnect (lab: Lab, host: string, target: Endpoint, timeoutMs = CONNECT_PROBE_TIMEOUT_MS): Promise<ConnectOutcome> {
  const { child, lines } = startProbe(lab, host, 'connect', ['--target', label(target), '--timeout-ms', String(timeoutMs)])
  try {
    return await lines.next<ConnectOutcome>(timeoutMs + PROBE_SLACK_MS)
  } finally {
    await stopChild(child)
  }
}

/** Asks the lab's STUN responder, from `localPort` on `host`, which address it sees; undefined if no answer. */
export async function stunBinding (lab: Lab, host: string, localPort: number, timeoutMs = CONNECT_PROBE_TIMEOUT_MS): Promise<(Endpoint & { localPort: number }) | undefined> {
  const { child, lines } = startProbe(lab, host, 'stun-client', ['--server', label(lab.stun), '--local-port', String(localPort), '--timeout-ms', String(timeoutMs)])
  try {
    const result = await lines.next<{ event: string, address?: string, port?: number, localPort?: number }>(timeoutMs + PROBE_SLACK_MS)
    if (result.event !== 'mapped' || result.address === undefined || result.port === undefined) return undefined
    return { address: result.address, port: result.port, localPort: result.localPort ?? localPort }
  } finally {
    await stopChild(child)
  }
}

/** One side of a simultaneous open. */
export interface PunchSide {
  host: string
  localPort: number
  /** The mapping the rendezvous saw. */
  observed: Endpoint
  connected: boolean
  /** The other side's token, when connected: proves the connection reached the right peer. */
  peerToken?: string
  /** Remote address of the punched connection, when connected. */
  remote?: string
  error?: string
  /** Time from starting the connect to the result. */
  ms: number
}

export interface PunchOptions {
  rendezvous: Endpoint
  localPortA: number
  localPortB: number
  timeoutMs?: number
}

/**
 * A TCP simultaneous open between hosts `a` and `b`: each learns its mapping from the rendezvous echo server, is
 * told the other's, and both connect at once from the port they used for the rendezvous.
 */
export async function punch (lab: Lab, a: string, b: string, options: PunchOptions): Promise<{ a: PunchSide, b: PunchSide }> {
  const timeoutMs = options.timeoutMs ?? PUNCH_TIMEOUT_MS
  const sides = [{ host: a, localPort: options.localPortA, token: `token-${a}` }, { host: b, localPort: options.localPortB, token: `token-${b}` }]
  const probes = sides.map((side) => startProbe(lab, side.host, 'punch', ['--rendezvous', label(options.rendezvous), '--local-port', String(side.localPort), '--token', side.token, '--timeout-ms', String(timeoutMs)]))
  try {
    const observed = await Promise.all(probes.map(async (p) => await p.lines.next<Endpoint>(PROBE_SLACK_MS)))
    probes[0].child.stdin?.write(JSON.stringify({ address: observed[1].address, port: observed[1].port }) + '\n')
    probes[1].child.stdin?.write(JSON.stringify({ address: observed[0].address, port: observed[0].port }) + '\n')
    const results = await Promise.all(probes.map(async (p) => await p.lines.next<{ connected: boolean, peerToken?: string, remote?: string, error?: string, ms: number }>(timeoutMs + PROBE_SLACK_MS)))
    const side = (i: number): PunchSide => ({
      host: sides[i].host,
      localPort: sides[i].localPort,
      observed: { address: observed[i].address, port: observed[i].port },
      connected: results[i].connected,
      peerToken: results[i].peerToken,
      remote: results[i].remote,
      error: results[i].error,
      ms: results[i].ms
    })
    return { a: side(0), b: side(1) }
  } finally {
    await Promise.all(probes.map(async (p) => { await stopChild(p.child) }))
  }
}
