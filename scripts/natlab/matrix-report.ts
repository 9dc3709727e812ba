/** Writes the traversal matrix as JSON, a terminal table and an HTML page. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderTerminalTable, writeReportPage } from '@tessera/report'
import type { MatrixPair, MatrixResult } from './matrix.js'
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

/** The `--json` document: exactly `{"pairs":[…]}`. */
export function matrixJson (result: Pick<MatrixResult, 'pairs'>): string {
  return JSON.stringify({ pairs: result.pairs.map((p) => ({ pair: p.pair, attempts: p.attempts, connected: p.connected, direct: p.direct, connectMsP50: p.connectMsP50, firstResultMsP50: p.firstResultMsP50, uploadMiBps: p.uploadMiBps })) })
}

/** Writes matrix.json, matrix.txt, attempts.json and index.html into `dir`; returns the paths. */
export async function writeMatrixReport (dir: string, result: MatrixResult, subtitle: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const table = matrixTable(result.pairs)
  const text = renderTerminalTable(table)
  const files = [join(dir, 'matrix.json'), join(dir, 'matrix.txt'), join(dir, 'attempts.json')]
  await writeFile(files[0], matrixJson(result) + '\n')
  await writeFile(files[1], text + '\n')
  await writeFile(files[2], JSON.stringify(result.attempts, null, 2) + '\n')
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
      }
    ]
  }))
  return files
}
