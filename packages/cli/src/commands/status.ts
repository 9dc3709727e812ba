/**
 * `tessera status`: a short summary of the local node, read from the status file it keeps in its data dir, or from
 * its Prometheus metrics (`--metrics host:port`, the node's `--metrics-listen`).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { NAT_KINDS, REACHABILITY_STATES } from '@tessera/peer'
import { NodeStatusUnavailableError } from '../errors.js'
import { STATUS_FILE_NAME } from '../status-file.js'
import { defaultDataDir, emit } from './options.js'
import type { NodeStatus } from '../status-file.js'
import type { Command } from 'commander'
import type { NatKind, Reachability } from '@tessera/memory'

/** Timeout of the request to a metrics server. */
const METRICS_FETCH_TIMEOUT_MS = 5000

interface StatusCommandOptions {
  dataDir: string
  metrics?: string
  json: boolean
}

export function registerStatusCommand (program: Command): void {
  program.command('status')
    .description('summarise the local node: reachability, NAT, relay reservations, tiles, shards, executes, connections')
    .option('--data-dir <dir>', 'the node\'s data dir (its status.json)', defaultDataDir())
    .option('--metrics <host:port>', 'read the node\'s Prometheus metrics instead (its --metrics-listen address)')
    .option('--json', 'print the status as JSON', false)
    .action(async (opts: StatusCommandOptions) => {
      const status = opts.metrics !== undefined ? await statusFromMetrics(opts.metrics) : await statusFromDataDir(opts.dataDir)
      emit(opts.json, { ...status }, formatStatus(status))
    })
}

/** The status file of a running node in `dataDir`, with its metrics when it serves them. */
export async function statusFromDataDir (dataDir: string): Promise<NodeStatus> {
  const path = join(dataDir, STATUS_FILE_NAME)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new NodeStatusUnavailableError(`no node is running with data dir ${dataDir} (no ${STATUS_FILE_NAME}; start one with tessera node --data-dir ${dataDir})`, { cause: err })
  }
  const status = JSON.parse(text) as NodeStatus
  if (status.pid !== undefined && !processAlive(status.pid)) {
    throw new NodeStatusUnavailableError(`the node of ${dataDir} (pid ${status.pid}) is not running; its last status is from ${new Date(status.updatedAtMs).toISOString()}`)
  }
  if (status.metricsAddress === undefined) return status
  try {
    const live = await statusFromMetrics(status.metricsAddress)
    return { ...status, ...live, peerId: status.peerId, pid: status.pid, addresses: status.addresses, maxCpu: status.maxCpu, metricsAddress: status.metricsAddress }
  } catch {
    // The file alone is a status; the metrics only add counters.
    return status
  }
}

function processAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The status from a node's Prometheus text at `http://<address>/metrics`. */
export async function statusFromMetrics (address: string): Promise<NodeStatus> {
  let text: string
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(METRICS_FETCH_TIMEOUT_MS) })
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`)
    text = await res.text()
  } catch (err) {
    throw new NodeStatusUnavailableError(`no metrics at http://${address}/metrics: ${(err as Error).message}`, { cause: err })
  }
  return { ...parseStatusMetrics(text), metricsAddress: address }
}

/** The samples of Prometheus text, by series (`name{labels}`). */
export function parsePrometheusText (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    samples.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return samples
}

/** tessera's metric families as a status. */
export function parseStatusMetrics (text: string): NodeStatus {
  const m = parsePrometheusText(text)
  const get = (series: string): number => m.get(series) ?? 0
  const oneHot = <T extends string>(name: string, label: string, values: readonly T[], fallback: T): T => values.find((v) => get(`${name}{${label}="${v}"}`) === 1) ?? fallback
  const executes = get('tessera_executes_total')
  const seconds = get('tessera_execute_duration_seconds_sum')
  return {
    updatedAtMs: Date.now(),
    reachability: oneHot<Reachability>('tessera_reachability', 'state', REACHABILITY_STATES, 'unknown'),
    natKind: oneHot<NatKind>('tessera_nat_kind', 'kind', NAT_KINDS, 'unknown'),
    reservations: get('tessera_relay_reservations'),
    tilesTotal: get('tessera_tiles_total'),
    tilesUsed: get('tessera_tiles_used'),
    shardsHeld: get('tessera_shards_held'),
    connections: { direct: get('tessera_connections{path="direct"}'), relayed: get('tessera_connections{path="relayed"}') },
    leaving: get('tessera_leaving') === 1,
    executes,
    ...(executes > 0 ? { executeMeanMs: (seconds / executes) * 1000 } : {}),
    bytesIn: get('tessera_bytes_total{direction="in"}'),
    bytesOut: get('tessera_bytes_total{direction="out"}')
  }
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`

/** A few lines for a person. */
export function formatStatus (s: NodeStatus): string {
  const lines = [
    `tessera node ${s.peerId ?? '(peer id: see the data dir\'s status)'}${s.pid !== undefined ? `, pid ${s.pid}` : ''}${s.leaving ? ' — LEAVING' : ''}`,
    `reachability ${s.reachability}, NAT ${s.natKind}, ${s.reservations} relay reservation(s)`,
    `tiles ${s.tilesUsed}/${s.tilesTotal} used, ${s.shardsHeld} shard(s) held${s.maxCpu !== undefined ? `, ${s.maxCpu} worker thread(s)` : ''}`,
    `connections ${s.connections.direct} direct, ${s.connections.relayed} relayed`
  ]
  if (s.executes !== undefined) lines.push(`executes ${s.executes}${s.executeMeanMs !== undefined ? ` (mean ${s.executeMeanMs.toFixed(2)} ms in the executor)` : ''}; ${mib(s.bytesIn ?? 0)} in, ${mib(s.bytesOut ?? 0)} out`)
  if (s.addresses !== undefined && s.addresses.length > 0) lines.push('addresses:', ...s.addresses.map((a) => `  ${a}`))
  if (s.metricsAddress !== undefined) lines.push(`metrics: http://${s.metricsAddress}/metrics`)
  return lines.join('\n')
}
