/** Writes the traversal matrix as JSON, a terminal table and an HTML page. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderTerminalTable, writeReportPage } from '@tessera/report'
import { describeMnistRun, peersByPath } from './mnist.js'
import type { MatrixPair, MatrixResult } from './matrix.js'
import type { MnistRun } from './mnist.js'
import type { ReportTable } from '@tessera/report'

/** Where `npm run natlab` writes its report, relative to the repository root. */
export const MATRIX_REPORT_DIR = 'reports/natlab'

const round = (value: number | null, digits: number): number | null => value === null ? null : Number(value.toFixed(digits))

/** The matrix as a report table. */
export function matrixTable (pairs: MatrixPair[]): ReportTable {
  return {
    columns: ['pair', 'attempts', 'connected', 'direct', 'connect ms p50', 'first result ms p50', 'upload MiB/s p50'],
    rows: pairs.map((p) => [p.pair, p.attempts, p.connected, p.direct, round(p.connectMsP50, 0), round(p.firstResultMsP50, 0), round(p.uploadMiBps, 1)])
  }
}

/** The MNIST run as the `mnist` key of the `--json` document. */
export function mnistSummary (run: MnistRun): Record<string, unknown> {
  return {
    host: run.host,
    policy: run.policy,
    requests: run.requests,
    answered: run.answered,
    requestsLost: run.requestsLost,
    requestsDuplicated: run.requestsDuplicated,
    accuracy: run.accuracy,
    floatAccuracy: run.floatAccuracy,
    throughputRps: round(run.throughputRps, 1),
    discoveryMs: round(run.discoveryMs, 0),
    peersByPath: peersByPath(run)
  }
}

/** The peers of the MNIST run as a report table. */
export function mnistTable (run: MnistRun): ReportTable {
  return {
    columns: ['host', 'reachability', 'NAT', 'shards', 'calls', 'path found on', 'path after run'],
    rows: run.peers.map((p) => [p.host, p.reachability, p.natKind, p.shards, p.calls, p.path, p.pathAfterRun ?? '—'])
  }
}

/**
 * The `--json` document: `{"pairs":[…]}`, then `"discovery"` (each NATed server's `discoveredMs`, or `{"error": …}`)
 * when it was measured, and `"mnist"` after it when the run included the MNIST MLP (its summary,
 * or `{"error": …}` when it gave no metrics).
 */
export function matrixJson (result: Pick<MatrixResult, 'pairs' | 'mnist' | 'mnistError' | 'discovery' | 'discoveryError'>): string {
  const pairs = result.pairs.map((p) => ({ pair: p.pair, attempts: p.attempts, connected: p.connected, direct: p.direct, connectMsP50: p.connectMsP50, firstResultMsP50: p.firstResultMsP50, uploadMiBps: p.uploadMiBps }))
  const discovery = result.discovery !== undefined
    ? { discovery: result.discovery.map((d) => ({ host: d.host, reachability: d.reachability, natKind: d.natKind, discoveredMs: d.discoveredMs })) }
    : result.discoveryError !== undefined ? { discovery: { error: result.discoveryError } } : {}
  if (result.mnist !== undefined) return JSON.stringify({ pairs, ...discovery, mnist: mnistSummary(result.mnist) })
  if (result.mnistError !== undefined) return JSON.stringify({ pairs, ...discovery, mnist: { error: result.mnistError } })
  return JSON.stringify({ pairs, ...discovery })
}

/** The MNIST run in a few lines of text (empty when the matrix ran without it). */
export function mnistText (result: Pick<MatrixResult, 'mnist' | 'mnistError'>): string {
  if (result.mnist !== undefined) return `MNIST MLP, coordinator on ${result.mnist.host}: ${describeMnistRun(result.mnist)}\n${renderTerminalTable(mnistTable(result.mnist))}`
  if (result.mnistError !== undefined) return `MNIST MLP: no metrics: ${result.mnistError}`
  return ''
}

/** How soon each NATed server (default flags) was listed by `tessera peers` on a public host (empty when not measured). */
export function discoveryText (result: Pick<MatrixResult, 'discovery' | 'discoveryError'>): string {
  if (result.discoveryError !== undefined) return `NATed servers with default flags: not all listed: ${result.discoveryError}`
  if (result.discovery === undefined) return ''
  return ['NATed servers with default flags, listed by tessera peers on pub1:',
    ...result.discovery.map((d) => `  ${d.host}: ${d.reachability}, NAT ${d.natKind}, ${(d.discoveredMs / 1000).toFixed(1)} s after its start`)].join('\n')
}

/** Writes matrix.json, matrix.txt, attempts.json (and mnist.json) and index.html into `dir`; returns the paths. */
export async function writeMatrixReport (dir: string, result: MatrixResult, subtitle: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const table = matrixTable(result.pairs)
  const mnist = mnistText(result)
  const discovery = discoveryText(result)
  const text = renderTerminalTable(table) + (discovery === '' ? '' : `\n\n${discovery}`) + (mnist === '' ? '' : `\n\n${mnist}`)
  const files = [join(dir, 'matrix.json'), join(dir, 'matrix.txt'), join(dir, 'attempts.json')]
  await writeFile(files[0], matrixJson(result) + '\n')
  await writeFile(files[1], text + '\n')
  await writeFile(files[2], JSON.stringify(result.attempts, null, 2) + '\n')
  if (result.mnist !== undefined) {
    files.push(join(dir, 'mnist.json'))
    await writeFile(files[files.length - 1], JSON.stringify(result.mnist, null, 2) + '\n')
  }
  const failures = result.attempts.filter((a) => a.result.error !== undefined)
  files.push(await writeReportPage(dir, {
    title: 'tessera NAT lab: traversal matrix',
    subtitle,
    sections: [
      {
        heading: 'Pairs',
        text: [
          'Real tessera node processes in network namespaces behind real NATs (Linux nftables masquerade: "cone" keeps ports, "symmetric" randomises them). Each attempt is a fresh client process (fresh identity and ports) that dials the server (directly when public, through the tessera relay when NATed), programs and executes a 512×512 block (time to first result, from the dial), waits for the hole punch, and times a second 512×512 upload on the settled path.',
          'connected: attempts that got their first shard result; direct: attempts whose settled path was a direct connection. public-cone and cone-symmetric alternate which side dials.'
        ],
        table
      },
      {
        heading: 'Failed attempts',
        text: failures.length === 0 ? 'none' : failures.map((a) => `${a.pair} #${a.index} ${a.client} → ${a.server}: ${a.result.error?.name ?? ''} ${a.result.error?.message ?? ''}`)
      },
      ...(result.mnist === undefined && result.mnistError === undefined
        ? []
        : [{
            heading: 'MNIST MLP through the network',
            text: [
              'After the pairs, `tessera run` (the coordinator, a real process) on a public host bootstraps from the relay, discovers the relay and the servers (the NATed ones by their circuit addresses), places the MLP 784-256-128-10 with the policy named below (by default round-robin, so every peer holds a shard whatever its path), and runs the MNIST-subset digits through them. Path found on: how the coordinator first reached the peer; path after run: its best connection at the end (a NATed peer may have dialled the public coordinator back).',
              result.mnist !== undefined ? describeMnistRun(result.mnist) : `no metrics: ${result.mnistError ?? ''}`
            ],
            ...(result.mnist !== undefined ? { table: mnistTable(result.mnist) } : {})
          }])
    ]
  }))
  return files
}
