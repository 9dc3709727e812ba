/** The lab object: build, inspect, tear down, and run things inside lab hosts. */
import { spawn } from 'node:child_process'
import type { ChildProcess, StdioOptions } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildTopology, listLabNamespaces, namespacePids, NETEM_UNAVAILABLE_MESSAGE, netemAvailable, teardownNamespaces, validateNetem
} from './build.js'
import type { NetemOptions } from './build.js'
import { requireTools, runCommand } from './commands.js'
import type { RunResult, Tools } from './commands.js'
import { findLeaks, snapshotConfinement } from './confinement.js'
import { DEFAULT_PREFIX, DEFAULT_PUBLIC_PEERS, PREFIX_ENV, RUN_DIR } from './constants.js'
import { InvalidTopologyError, LabPrerequisiteError } from './errors.js'
import { startStun } from './stun.js'
import type { StunChoice, StunProcess } from './stun.js'
import { DEFAULT_ROUTERS, planNamespaces, planTopology, validatePrefix } from './topology.js'
import type { LabHost, RouterInit, TopologyPlan } from './topology.js'

/** Which lab to work on. */
export interface LabInit {
  /** Namespace prefix (default: $TESSERA_NATLAB_PREFIX, else `tl`). Parallel labs need different prefixes. */
  prefix?: string
  /**
   * Public peers besides relay and stun (default: what the running lab of this prefix was built with, else 2).
   */
  publicPeers?: number
  /** NAT routers (default: what the running lab was built with, else cone1, cone2, sym1, sym2). */
  routers?: RouterInit[]
}

/** How to bring the lab up. */
export interface UpOptions extends NetemOptions {
  /** STUN responder: coturn, the Node responder, or coturn when installed ("auto", the default). */
  stun?: StunChoice
}

export interface UpResult {
  /** True when a lab with the same topology and options was already up and was left as it was. */
  alreadyUp: boolean
  /** Time to build the namespaces, links and rulesets and start the STUN responder (0 when already up). */
  buildMs: number
  stun: StunProcess
}

export interface DownResult {
  removedNamespaces: string[]
  /** Processes that were still running inside the lab and were stopped. */
  stoppedPids: number[]
  ms: number
}

export interface HostStatus extends LabHost {
  present: boolean
  pids: number[]
}

export interface LabStatus {
  prefix: string
  /** Every planned namespace exists and the STUN responder runs. */
  up: boolean
  hosts: HostStatus[]
  switchNamespace: { namespace: string, present: boolean }
  /** Namespaces with this prefix that the plan does not know (left by a lab built with another topology). */
  strayNamespaces: string[]
  stun?: StunProcess & { running: boolean }
  options?: Required<NetemOptions> & { stun: StunChoice }
}

export interface ExecOptions {
  /** Default 'pipe'. */
  stdio?: StdioOptions
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface RunInHostOptions {
  input?: string
  timeoutMs?: number
}

/** A NAT lab. */
export interface Lab {
  readonly prefix: string
  readonly plan: TopologyPlan
  /** Hosts by name: `relay`, `stun`, `pub1`…, routers, and LAN peers such as `cone1-a`. */
  readonly hosts: Readonly<Record<string, LabHost>>
  /** The lab's STUN responder; `url` is what an ICE configuration takes (`stun:12.0.0.1:3478`). */
  readonly stun: { address: string, port: number, url: string }
  /** Builds the lab (about a second); a no-op when it is already up with the same topology and options. */
  up: (options?: UpOptions) => Promise<UpResult>
  /** Stops every process in the lab and removes all namespaces with the prefix; a no-op when nothing is there. */
  down: () => Promise<DownResult>
  status: () => Promise<LabStatus>
  /** Starts `argv` inside a host's namespace (`ip netns exec`) and returns the child. */
  exec: (host: string, argv: readonly string[], options?: ExecOptions) => ChildProcess
  /** Runs `argv` inside a host's namespace to completion. */
  run: (host: string, argv: readonly string[], options?: RunInHostOptions) => Promise<RunResult>
  /** Every way out of the lab found in its links and routes (see findLeaks); empty when confined. */
  confinement: () => Promise<string[]>
}

interface StateFile {
  publicPeers: number
  routers: RouterInit[]
  options: Required<NetemOptions> & { stun: StunChoice }
  stun: StunProcess
}

function stateDir (prefix: string): string {
  return join(RUN_DIR, prefix)
}

function readState (prefix: string): StateFile | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir(prefix), 'lab.json'), 'utf8')) as StateFile
  } catch {
    return undefined
  }
}

function normalizeRouters (routers: readonly RouterInit[]): RouterInit[] {
  return routers.map((r) => ({ name: r.name, nat: r.nat, lanPeers: r.lanPeers ?? 1 }))
}

/**
 * Creates a handle on the NAT lab with the given prefix. Nothing happens on the system until `up`.
 *
 * @example
 * ```ts
 * const lab = createLab({ prefix: 'demo' })
 * await lab.up({ delayMs: 10 })
 * const { stdout } = await lab.run('cone1-a', ['ip', '-brief', 'addr'])
 * const child = lab.exec('pub1', [process.execPath, 'server.js'])
 * // …
 * child.kill()
 * await lab.down()
 * ```
 */
export function createLab (init: LabInit = {}): Lab {
  const prefix = validatePrefix(init.prefix ?? process.env[PREFIX_ENV] ?? DEFAULT_PREFIX)
  const saved = readState(prefix)
  const publicPeers = init.publicPeers ?? saved?.publicPeers ?? DEFAULT_PUBLIC_PEERS
  const routers = normalizeRouters(init.routers ?? saved?.routers ?? DEFAULT_ROUTERS)
  const plan = planTopology({ prefix, publicPeers, routers })
  let tools: Tools | undefined
  const getTools = (): Tools => (tools ??= requireTools())

  const hostOf = (name: string): LabHost => {
    const host = plan.hosts[name]
    if (host === undefined) {
      throw new InvalidTopologyError(`no host ${JSON.stringify(name)} in NAT lab ${prefix}; hosts: ${Object.keys(plan.hosts).join(', ')}`)
    }
    return host
  }
  const namespaceUp = (host: LabHost): void => {
    if (!existsSync(join('/run/netns', host.namespace))) {
      throw new LabPrerequisiteError(`NAT lab ${prefix} is not up (no namespace ${host.namespace}): run \`npm run natlab -- up --prefix ${prefix}\``)
    }
  }

  const down = async (): Promise<DownResult> => {
    const started = performance.now()
    const t = getTools()
    const namespaces = await listLabNamespaces(t, prefix)
    const stoppedPids = await teardownNamespaces(t, namespaces)
    rmSync(stateDir(prefix), { recursive: true, force: true })
    return { removedNamespaces: namespaces, stoppedPids, ms: performance.now() - started }
  }

  const status = async (): Promise<LabStatus> => {
    const t = getTools()
    const present = new Set(await listLabNamespaces(t, prefix))
    const state = readState(prefix)
    const planned = new Set(planNamespaces(plan))
    const hosts = await Promise.all(Object.values(plan.hosts).map(async (host) => ({
      ...host,
      present: present.has(host.namespace),
      pids: present.has(host.namespace) ? await namespacePids(t, host.namespace) : []
    })))
    const stunHost = hosts.find((h) => h.name === plan.stun.host)
    const stun = state === undefined ? undefined : { ...state.stun, running: stunHost?.pids.includes(state.stun.pid) ?? false }
    const complete = [...planned].every((ns) => present.has(ns))
    return {
      prefix,
      up: complete && stun?.running === true,
      hosts,
      switchNamespace: { namespace: plan.switchNamespace, present: present.has(plan.switchNamespace) },
      strayNamespaces: [...present].filter((ns) => !planned.has(ns)),
      stun,
      options: state?.options
    }
  }

  const up = async (options: UpOptions = {}): Promise<UpResult> => {
    const t = getTools()
    const netem = validateNetem(options)
    const wanted: StateFile['options'] = { ...netem, stun: options.stun ?? 'auto' }
    const state = readState(prefix)
    if (state !== undefined && JSON.stringify([state.publicPeers, state.routers, state.options]) === JSON.stringify([publicPeers, routers, wanted])) {
      const current = await status()
      if (current.up && current.strayNamespaces.length === 0) return { alreadyUp: true, buildMs: 0, stun: state.stun }
    }
    if (netem.delayMs > 0 && !(await netemAvailable(t, prefix))) throw new LabPrerequisiteError(NETEM_UNAVAILABLE_MESSAGE)
    await down()
    const started = performance.now()
    const dir = stateDir(prefix)
    mkdirSync(dir, { recursive: true })
    try {
      await buildTopology(t, plan, netem)
      const stun = await startStun(t, plan, wanted.stun, dir)
      const next: StateFile = { publicPeers, routers, options: wanted, stun }
      writeFileSync(join(dir, 'lab.json'), JSON.stringify(next, null, 2) + '\n')
      return { alreadyUp: false, buildMs: performance.now() - started, stun }
    } catch (err) {
      // Never leave half a lab behind.
      await down()
      throw err
    }
  }

  const exec = (name: string, argv: readonly string[], options: ExecOptions = {}): ChildProcess => {
    const t = getTools()
    const host = hostOf(name)
    namespaceUp(host)
    return spawn(t.ip, ['netns', 'exec', host.namespace, ...argv], { stdio: options.stdio ?? 'pipe', env: options.env, cwd: options.cwd })
  }

  const run = async (name: string, argv: readonly string[], options: RunInHostOptions = {}): Promise<RunResult> => {
    const t = getTools()
    const host = hostOf(name)
    namespaceUp(host)
    return await runCommand([t.ip, 'netns', 'exec', host.namespace, ...argv], options)
  }

  const confinement = async (): Promise<string[]> => {
    return findLeaks(plan, await snapshotConfinement(getTools(), plan))
  }

  return {
    prefix,
    plan,
    hosts: plan.hosts,
    stun: { address: plan.stun.address, port: plan.stun.port, url: `stun:${plan.stun.address}:${plan.stun.port}` },
    up,
    down,
    status,
    exec,
    run,
    confinement
  }
}
