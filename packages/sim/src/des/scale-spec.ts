/**
 * The scale runs as data (simulations/des/scale.json): network sizes, simulated time, churn, the distributions
 * peers are drawn from, the jobs, and discovery's parameters.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PRESET_NAMES } from '@tessera/crossbar'
import { scenariosDir } from '../scenario.js'
import { InvalidDesOptionError } from './errors.js'

/** A weighted option. */
export interface Weighted<T> { value: T, weight: number }

/** A log-normal by mean and coefficient of variation. */
export interface LogNormalSpec { mean: number, cv: number }

/** NAT kinds a peer may sit behind. */
export type ScaleNatKind = 'none' | 'cone' | 'symmetric'

/** The scale specification. */
export interface ScaleSpec {
  name: string
  description: string
  seed: string
  peers: number[]
  simulatedSeconds: number
  churnFractionPerMinute: number
  population: {
    presets: Array<Weighted<string>>
    geometries: Array<Weighted<number>>
    tiles: Array<Weighted<number>>
    macsPerSecond: LogNormalSpec
    oneWayDelayMs: LogNormalSpec
    nat: Array<Weighted<ScaleNatKind>>
    /** Probability that a hole punch to a peer behind each NAT kind succeeds. */
    holePunchSuccess: Record<'cone' | 'symmetric', number>
  }
  jobs: { perThousandPeers: number, arrivalRps: number, batchSize: number, batchesInFlight: number }
  discovery: { candidates: number, providersPerBucket: number }
}

function bad (why: string): never {
  throw new InvalidDesOptionError(`scale spec: ${why}`)
}

function checkWeighted<T> (list: unknown, what: string, ok: (v: T) => boolean): void {
  if (!Array.isArray(list) || list.length === 0) bad(`${what} must be a non-empty list of { value, weight }`)
  for (const o of list as Array<Weighted<T>>) {
    if (!(o.weight > 0) || !ok(o.value)) bad(`${what}: bad option ${JSON.stringify(o)}`)
  }
}

function checkLogNormal (d: LogNormalSpec | undefined, what: string): void {
  if (d === undefined || !(d.mean > 0) || !(d.cv >= 0)) bad(`${what} must be { mean > 0, cv ≥ 0 }`)
}

/** Checks a parsed scale spec; throws {@link InvalidDesOptionError} naming the first problem. */
export function validateScaleSpec (value: unknown): ScaleSpec {
  const s = value as ScaleSpec
  if (typeof s !== 'object' || s === null) bad('not an object')
  if (typeof s.name !== 'string' || typeof s.seed !== 'string' || s.seed === '') bad('name and seed must be strings')
  if (!Array.isArray(s.peers) || s.peers.length === 0 || !s.peers.every((n) => Number.isSafeInteger(n) && n >= 10)) bad('peers must be a list of integers ≥ 10')
  if (!(s.simulatedSeconds > 0)) bad('simulatedSeconds must be positive')
  if (!(s.churnFractionPerMinute >= 0 && s.churnFractionPerMinute < 1)) bad('churnFractionPerMinute must be in [0, 1)')
  const p = s.population
  if (typeof p !== 'object' || p === null) bad('population missing')
  checkWeighted<string>(p.presets, 'population.presets', (v) => (PRESET_NAMES as readonly string[]).includes(v))
  checkWeighted<number>(p.geometries, 'population.geometries', (v) => Number.isSafeInteger(v) && v > 0)
  checkWeighted<number>(p.tiles, 'population.tiles', (v) => Number.isSafeInteger(v) && v > 0)
  checkWeighted<string>(p.nat, 'population.nat', (v) => v === 'none' || v === 'cone' || v === 'symmetric')
  checkLogNormal(p.macsPerSecond, 'population.macsPerSecond')
  checkLogNormal(p.oneWayDelayMs, 'population.oneWayDelayMs')
  for (const k of ['cone', 'symmetric'] as const) if (!(p.holePunchSuccess?.[k] >= 0 && p.holePunchSuccess[k] <= 1)) bad(`population.holePunchSuccess.${k} must be in [0, 1]`)
  const j = s.jobs
  if (!(j?.perThousandPeers > 0 && j.arrivalRps > 0 && Number.isSafeInteger(j.batchSize) && j.batchSize > 0 && Number.isSafeInteger(j.batchesInFlight) && j.batchesInFlight > 0)) bad('jobs must have perThousandPeers, arrivalRps > 0 and positive integer batchSize, batchesInFlight')
  const d = s.discovery
  if (!(Number.isSafeInteger(d?.candidates) && d.candidates > 0 && Number.isSafeInteger(d.providersPerBucket) && d.providersPerBucket > 0)) bad('discovery must have positive integer candidates and providersPerBucket')
  return s
}

/** Loads simulations/des/<name>.json, or a path to a JSON file. */
export function loadScaleSpec (nameOrPath = 'scale'): ScaleSpec {
  let path = nameOrPath
  if (!nameOrPath.endsWith('.json')) {
    const dir = scenariosDir()
    if (dir === undefined) bad('cannot find the simulations folder')
    path = join(dir, '..', 'des', `${nameOrPath}.json`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    bad(`cannot read ${path}: ${(err as Error).message}`)
  }
  return validateScaleSpec(parsed)
}
