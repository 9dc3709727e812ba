/**
 * Partition planner benchmark: utilisation (cells holding weights ÷ cells of allocated tiles) of every GEMM
 * shape catalogue at square tile geometries 128, 256 and 512, planned on four devices, next to two
 * references: the unpacked tile grid (every grid block on its own tile, as a naive mapper does) and
 * whole-block packing without cuts (the 2-D bin packing of arXiv 2411.04814).
 *
 * `npm run bench -- planner --json` prints `{"planner":[{"workload","geometry","utilisation","tiles",…}]}`.
 */

import { createRng, planPartition, validatePlan } from '@tessera/crossbar'
import type { Command } from 'commander'
import type { MatrixSpec, PlannerDevice } from '@tessera/crossbar'
import { gemmWorkloads } from '@tessera/models'

/** Square tile sides the benchmark sweeps. */
export const PLANNER_BENCH_GEOMETRIES: readonly number[] = [128, 256, 512]
/** Devices the workloads are spread over. */
export const PLANNER_BENCH_DEVICES = 4

/** One row of the benchmark. */
export interface PlannerBenchRow {
  workload: string
  label: string
  /** Square tile side. */
  geometry: number
  /** Utilisation of the planner's plan. */
  utilisation: number
  /** Tiles of the planner's plan. */
  tiles: number
  /** Blocks of the planner's plan (grid blocks plus the extra ones that cutting created). */
  blocks: number
  /** ⌈weights ÷ tile cells⌉: no plan can use fewer tiles. */
  tilesLowerBound: number
  /** Tiles and utilisation of the unpacked tile grid. */
  tilesGrid: number
  utilisationGrid: number
  /** Tiles and utilisation of whole-block packing (`splitRagged: false`). */
  tilesNoCut: number
  utilisationNoCut: number
  /** Wall-clock time of one `planPartition` call, in milliseconds. */
  planMs: number
}

/** Matrices and side range of the `--stress` workload. */
export const PLANNER_STRESS_MATRICES = 64
export const PLANNER_STRESS_MIN_SIDE = 16
export const PLANNER_STRESS_MAX_SIDE = 1200

/**
 * Seeded random shapes with ragged sides, which the power-of-two-friendly catalogues do not exercise: a
 * packing stress test, not a network.
 */
export function stressWorkload (seed: number | string = 'planner-stress'): { name: string, label: string, matrices: MatrixSpec[] } {
  const rng = createRng(seed)
  const span = PLANNER_STRESS_MAX_SIDE - PLANNER_STRESS_MIN_SIDE + 1
  const matrices = Array.from({ length: PLANNER_STRESS_MATRICES }, (_, i) => ({
    id: `random.${i}`,
    rows: PLANNER_STRESS_MIN_SIDE + rng.nextInt(span),
    cols: PLANNER_STRESS_MIN_SIDE + rng.nextInt(span)
  }))
  return {
    name: `random-ragged-${PLANNER_STRESS_MATRICES}`,
    label: `seeded random shapes (${PLANNER_STRESS_MATRICES} matrices, sides ${PLANNER_STRESS_MIN_SIDE}–${PLANNER_STRESS_MAX_SIDE}): a packing stress test, not a network`,
    matrices
  }
}

/**
 * Runs the sweep over the catalogues (and the stress workload with `stress`); every plan is checked with
 * `validatePlan` before it is reported.
 */
export function runPlannerBench (options: { stress?: boolean } = {}): PlannerBenchRow[] {
  const rows: PlannerBenchRow[] = []
  const workloads = gemmWorkloads().map(({ name, label, matrices }) => ({ name, label, matrices: matrices.map(({ id, rows, cols }) => ({ id, rows, cols })) }))
  if (options.stress === true) workloads.push(stressWorkload())
  for (const workload of workloads) {
    const matrices: MatrixSpec[] = workload.matrices
    const cells = matrices.reduce((sum, m) => sum + m.rows * m.cols, 0)
    for (const side of PLANNER_BENCH_GEOMETRIES) {
      const tilesGrid = matrices.reduce((sum, m) => sum + Math.ceil(m.rows / side) * Math.ceil(m.cols / side), 0)
      // Room for the unpacked grid over the four devices, so capacity never limits the packing.
      const devices: PlannerDevice[] = Array.from({ length: PLANNER_BENCH_DEVICES }, (_, i) => ({
        id: `device-${i}`,
        geometry: { rows: side, cols: side },
        freeTiles: Math.ceil(tilesGrid / PLANNER_BENCH_DEVICES)
      }))
      const started = performance.now()
      const plan = planPartition(matrices, devices)
      const planMs = performance.now() - started
      const noCut = planPartition(matrices, devices, { splitRagged: false })
      validatePlan(plan, matrices, devices)
      validatePlan(noCut, matrices, devices)
      rows.push({
        workload: workload.name,
        label: workload.label,
        geometry: side,
        utilisation: plan.utilisation,
        tiles: plan.tiles,
        blocks: plan.blocks.length,
        tilesLowerBound: Math.ceil(cells / (side * side)),
        tilesGrid,
        utilisationGrid: cells / (tilesGrid * side * side),
        tilesNoCut: noCut.tiles,
        utilisationNoCut: noCut.utilisation,
        planMs: Math.round(planMs * 100) / 100
      })
    }
  }
  return rows
}

/** A plain-text table of the rows. */
export function formatPlannerTable (rows: readonly PlannerBenchRow[]): string {
  const header = ['workload', 'tile', 'utilisation', 'tiles', 'bound', 'blocks', 'no-cut util', 'no-cut tiles', 'grid util', 'grid tiles', 'plan ms']
  const body = rows.map((r) => [
    r.workload,
    `${r.geometry}×${r.geometry}`,
    r.utilisation.toFixed(4),
    String(r.tiles),
    String(r.tilesLowerBound),
    String(r.blocks),
    r.utilisationNoCut.toFixed(4),
    String(r.tilesNoCut),
    r.utilisationGrid.toFixed(4),
    String(r.tilesGrid),
    r.planMs.toFixed(1)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  const labels = [...new Map(rows.map((r) => [r.workload, r.label])).entries()].map(([name, label]) => `${name}: ${label}`)
  return [
    `partition planner on ${PLANNER_BENCH_DEVICES} devices per geometry (utilisation = weight cells ÷ allocated cells)`,
    ...labels,
    '',
    line(header),
    ...body.map(line)
  ].join('\n')
}

/** Registers the `planner` subcommand: the table, or `{"planner":[…]}` with `--json`. */
export function registerPlannerCommand (program: Command): void {
  program
    .command('planner')
    .description('partition planner utilisation of the GEMM shape catalogues at 128, 256 and 512 square tiles')
    .option('--json', 'print {"planner":[…]} to stdout instead of a table')
    .option('--stress', 'add a seeded workload of random ragged shapes (not a network)')
    .action((options: { json?: boolean, stress?: boolean }) => {
      const rows = runPlannerBench({ stress: options.stress })
      if (options.json === true) {
        process.stdout.write(JSON.stringify({ planner: rows }) + '\n')
      } else {
        process.stdout.write(formatPlannerTable(rows) + '\n')
      }
    })
}
