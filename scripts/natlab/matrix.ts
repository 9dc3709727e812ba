/**
 * The traversal matrix: real `tessera node` processes in the lab (a relay with raised limits on `relay`, servers on
 * a public host, behind a cone NAT and behind a symmetric NAT, each NATed one holding a reservation on the relay),
 * and for each pair type a series of one-shot clients (probes/shard-client) that dial, program and execute a
 * 512×512 block, let the hole punch settle and time a second upload. Every attempt is a fresh client process:
 * fresh identity, fresh ports, fresh NAT mappings. Then a coordinator on pub1 runs the MNIST MLP through the same
 * network (mnist.ts).
 */
import { setTimeout as delay } from 'node:timers/promises'
import { measureNatDiscovery } from './discovery.js'
import { InvalidTopologyError } from './errors.js'
import { startLabNetwork } from './lab-network.js'
import { runMnist, waitForClassifiedRecords } from './mnist.js'
import { probeArgv } from './probe-path.js'
import { SHARD_CLIENT_SETTLE_MS } from './probes/common.js'
import type { NatDiscovery } from './discovery.js'
import type { Lab } from './lab.js'
import type { MnistRun, MnistRunInit } from './mnist.js'
import type { ClientResult } from './probes/shard-client.js'

/** The pair types, in report order. */
export const PAIR_NAMES = ['public-public', 'public-cone', 'cone-cone', 'cone-symmetric', 'symmetric-symmetric'] as const
export type PairName = typeof PAIR_NAMES[number]

/** One row of the matrix (the `--json` shape). */
export interface MatrixPair {
  pair: PairName
  attempts: number
  /** Attempts whose client connected at all (directly or through the relay) and got its first shard result. */
  connected: number
  /** Attempts that ended on a direct path. */
  direct: number
  /** Medians over the attempts that have the value; null when none has. */
  connectMsP50: number | null
  firstResultMsP50: number | null
  uploadMiBps: number | null
}

export interface MatrixAttempt {
  pair: PairName
  index: number
  client: string
  server: string
  result: ClientResult
}

export interface MatrixResult {
  pairs: MatrixPair[]
  attempts: MatrixAttempt[]
  /** How soon `tessera peers` on a public host listed each NATed server (started with default flags). */
  discovery?: NatDiscovery[]
  /** Why the discovery measurement gave no figures, when it did not. */
  discoveryError?: string
  /** The MNIST MLP run through the same network after the pairs, when one was made and printed its metrics. */
  mnist?: MnistRun
  /** Why the MNIST run gave no metrics, when it did not. */
  mnistError?: string
}

export interface MatrixInit {
  /** Attempts per pair type (default 10). */
  attempts?: number
  /** How long a client waits for the hole punch after its first result (default 8 s). */
  settleMs?: number
  /** Pause between attempts (default 1 s): libp2p accepts 5 inbound connections per second and IP by default. */
  spacingMs?: number
  onAttempt?: (attempt: MatrixAttempt) => void
  onProgress?: (message: string) => void
  /**
   * After the pairs, `tessera run` on pub1 runs the MNIST MLP through the same relay and servers (see mnist.ts;
   * default round-robin over 2,000 requests); `false` skips it.
   */
  mnist?: MnistRunInit | false
}

export const DEFAULT_MATRIX_ATTEMPTS = 10
const DEFAULT_SPACING_MS = 1000
/** Bound on one client process: start, dial, two uploads, settle, stop. */
const ATTEMPT_TIMEOUT_MS = 60_000
/**
 * The servers' records must show their settled classification before the MNIST run: without short refresh
 * options a node re-publishes 20 s, 60 s and 120 s after its start, and the pairs may take less than 20 s.
 */
const MNIST_RECORDS_TIMEOUT_MS = 70_000

/**
 * Which client dials which server, per pair type. A pair with two routes alternates them, so both directions are
 * measured (a public client reaches a NATed server through the relay, a NATed client dials a public one directly).
 */
const ROUTES: Record<PairName, Array<{ client: string, server: string }>> = {
  'public-public': [{ client: 'pub1', server: 'pub2' }],
  'public-cone': [{ client: 'pub1', server: 'cone1-a' }, { client: 'cone2-a', server: 'pub2' }],
  'cone-cone': [{ client: 'cone2-a', server: 'cone1-a' }],
  'cone-symmetric': [{ client: 'cone2-a', server: 'sym1-a' }, { client: 'sym2-a', server: 'cone1-a' }],
  'symmetric-symmetric': [{ client: 'sym2-a', server: 'sym1-a' }]
}

export function median (values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Folds attempts into matrix rows. */
export function summarize (attempts: MatrixAttempt[]): MatrixPair[] {
  return PAIR_NAMES.filter((pair) => attempts.some((a) => a.pair === pair)).map((pair) => {
    const mine = attempts.filter((a) => a.pair === pair).map((a) => a.result)
    const ok = mine.filter((r) => r.connected && r.firstResultMs !== undefined)
    const numbers = (pick: (r: ClientResult) => number | undefined): number[] => ok.map(pick).filter((v): v is number => v !== undefined)
    return {
      pair,
      attempts: mine.length,
      connected: ok.length,
      direct: mine.filter((r) => r.direct === true && r.error === undefined).length,
      connectMsP50: median(numbers((r) => r.connectMs)),
      firstResultMsP50: median(numbers((r) => r.firstResultMs)),
      uploadMiBps: median(numbers((r) => r.uploadMiBps))
    }
  })
}

/** Runs one shard-client probe in `client` against `target`; its JSON result line. */
export async function runShardClient (lab: Lab, client: string, target: string, seed: string, extra: readonly string[] = [], settleMs = SHARD_CLIENT_SETTLE_MS): Promise<ClientResult> {
  const run = await lab.run(client, [...probeArgv('shard-client'), '--target', target, '--seed', seed, '--settle-ms', String(settleMs), ...extra], { timeoutMs: ATTEMPT_TIMEOUT_MS })
  const line = run.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{"event":"result"'))
  if (line === undefined) {
    return { event: 'result', connected: false, error: { name: 'ProbeFailed', message: `shard-client in ${client} printed no result (exit ${String(run.code)}): ${run.stderr.trim().slice(-500)}` } }
  }
  return JSON.parse(line) as ClientResult
}

/** Runs the matrix on a lab that is up; starts and stops its own tessera network. */
export async function runMatrix (lab: Lab, init: MatrixInit = {}): Promise<MatrixResult> {
  const attemptsPerPair = init.attempts ?? DEFAULT_MATRIX_ATTEMPTS
  const settleMs = init.settleMs ?? SHARD_CLIENT_SETTLE_MS
  const spacingMs = init.spacingMs ?? DEFAULT_SPACING_MS
  if (!Number.isInteger(attemptsPerPair) || attemptsPerPair < 1) throw new InvalidTopologyError(`attempts must be a positive integer, got ${attemptsPerPair}`)
  const servers = [...new Set(Object.values(ROUTES).flat().map((r) => r.server))]
  init.onProgress?.(`starting the relay and servers on ${servers.join(', ')}`)
  const network = await startLabNetwork(lab, { servers })
  const attempts: MatrixAttempt[] = []
  const found: Pick<MatrixResult, 'discovery' | 'discoveryError'> = {}
  try {
    init.onProgress?.('measuring how soon tessera peers on pub1 lists the NATed servers')
    try {
      found.discovery = await measureNatDiscovery(lab, network)
    } catch (err) {
      found.discoveryError = err instanceof Error ? err.message : String(err)
    }
    for (const pair of PAIR_NAMES) {
      const routes = ROUTES[pair]
      for (let index = 0; index < attemptsPerPair; index++) {
        if (attempts.length > 0) await delay(spacingMs)
        const { client, server } = routes[index % routes.length]
        const result = await runShardClient(lab, client, network.targetOf(server), `${pair}/${index}`, ['--relay', network.relayAddr], settleMs)
        const attempt = { pair, index, client, server, result }
        attempts.push(attempt)
        init.onAttempt?.(attempt)
      }
    }
    if (init.mnist !== false) {
      init.onProgress?.('running the MNIST MLP through the relay and servers (tessera run)')
      try {
        await waitForClassifiedRecords(lab, network, MNIST_RECORDS_TIMEOUT_MS)
        const mnist = await runMnist(lab, network, init.mnist ?? {})
        return { pairs: summarize(attempts), attempts, ...found, mnist }
      } catch (err) {
        // The pairs are measured: report them, and why the MNIST run has no numbers.
        return { pairs: summarize(attempts), attempts, ...found, mnistError: err instanceof Error ? err.message : String(err) }
      }
    }
  } finally {
    await network.stop()
  }
  return { pairs: summarize(attempts), attempts, ...found }
}
