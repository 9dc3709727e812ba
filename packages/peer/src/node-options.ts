/** Checking the options of `createTesseraNode` before anything starts, so a bad value costs nothing to report. */
import { PRESET_NAMES, createDeviceProfile } from '@tessera/crossbar'
import { resolveRecordTiming } from './capacity-publisher.js'
import { DEFAULT_DEVICE_PRESET, DEFAULT_TILES, MAX_TIMER_MS, maxTilesFor } from './constants.js'
import { InvalidNodeOptionError } from './errors.js'
import { checkEmulatedRate } from './executor/worker-executor.js'
import { workingMemoryBytes as workingBytesFor } from './executor/memory-budget.js'
import { parseListenAddress } from './prometheus.js'
import type { RecordTiming } from './capacity-publisher.js'
import type { NetworkMode, RelayLimits } from './libp2p.js'
import type { TesseraNodeInit } from './tessera-node.js'
import type { DeviceProfile, PresetName } from '@tessera/crossbar'

/** The options that `createTesseraNode` resolves from defaults; the rest are used as given. */
export interface ResolvedNodeOptions {
  network: NetworkMode
  serve: boolean
  tiles: number
  /** Executor worker threads. */
  maxCpu: number
  /** With `maxMemoryMiB`: the bytes left for uploads and executes once the tiles are counted. */
  workingMemoryBytes?: number
  /** The device of the tile pool; absent on a client-only node. */
  profile?: DeviceProfile
  /** The capacity record's lifetime and refresh period, each defaulted from the other. */
  recordTiming: RecordTiming
}

function checkPositiveInt (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidNodeOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** A duration a timer will wait: positive and at most MAX_TIMER_MS (a longer one would fire after 1 ms). */
function checkDuration (value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS)) {
    throw new InvalidNodeOptionError(`${what} must be in (0, ${MAX_TIMER_MS}] ms, got ${value}`)
  }
}

/** Checked here rather than by the relay, whose BigInt() of a fraction throws a RangeError deep inside libp2p. */
function checkRelayLimits (limits: RelayLimits | undefined): void {
  if (limits?.dataLimitBytes !== undefined) checkPositiveInt(limits.dataLimitBytes, 'relayLimits.dataLimitBytes')
  checkDuration(limits?.durationLimitMs, 'relayLimits.durationLimitMs')
  if (limits?.maxReservations !== undefined) checkPositiveInt(limits.maxReservations, 'relayLimits.maxReservations')
}

/** At most as many tiles as the kernel's memory can hold programmed (see maxTilesFor). */
function checkTiles (tiles: number, profile: DeviceProfile): void {
  const max = maxTilesFor(profile.geometry)
  if (tiles > max) {
    throw new InvalidNodeOptionError(`tiles must be in [1, ${max}] for ${profile.geometry.rows}×${profile.geometry.cols} tiles (what the kernel's memory holds), got ${tiles}`)
  }
}

function resolveProfile (device: PresetName | DeviceProfile | undefined): DeviceProfile {
  if (device == null || typeof device === 'string') {
    const preset = (device ?? DEFAULT_DEVICE_PRESET) as PresetName
    if (!PRESET_NAMES.includes(preset)) {
      throw new InvalidNodeOptionError(`unknown device preset ${JSON.stringify(preset)}; one of ${PRESET_NAMES.join(', ')}`)
    }
    return createDeviceProfile(preset)
  }
  return device
}

/** Validates `init` and fills in the defaults; throws {@link InvalidNodeOptionError} naming the first bad option. */
export function resolveNodeOptions (init: TesseraNodeInit): ResolvedNodeOptions {
  const network = init.network ?? 'public'
  if (network !== 'local' && network !== 'public') throw new InvalidNodeOptionError(`network must be local or public, got ${String(network)}`)
  const serve = init.serve ?? true
  const tiles = checkPositiveInt(init.tiles ?? DEFAULT_TILES, 'tiles')
  const maxCpu = checkPositiveInt(init.maxCpu ?? 1, 'maxCpu')
  for (const [value, what] of [[init.recordTtlMs, 'recordTtlMs'], [init.recordRefreshMs, 'recordRefreshMs'], [init.metricsIntervalMs, 'metricsIntervalMs'],
    [init.redialIntervalMs, 'redialIntervalMs'], [init.dhtTimeoutMs, 'dhtTimeoutMs']] as const) {
    checkDuration(value, what)
  }
  if (init.joinWaitMs !== undefined && !(Number.isFinite(init.joinWaitMs) && init.joinWaitMs >= 0 && init.joinWaitMs <= MAX_TIMER_MS)) {
    throw new InvalidNodeOptionError(`joinWaitMs must be in [0, ${MAX_TIMER_MS}] ms, got ${init.joinWaitMs}`)
  }
  checkRelayLimits(init.relayLimits)
  if (init.emulatedMacsPerSecond !== undefined) checkEmulatedRate(init.emulatedMacsPerSecond)
  if (init.metricsListen !== undefined) parseListenAddress(init.metricsListen)
  const recordTiming = resolveRecordTiming({ ttlMs: init.recordTtlMs, refreshMs: init.recordRefreshMs })
  const profile = serve ? resolveProfile(init.device) : undefined
  if (profile !== undefined) checkTiles(tiles, profile)
  let workingMemoryBytes: number | undefined
  if (init.maxMemoryMiB !== undefined) {
    checkPositiveInt(init.maxMemoryMiB, 'maxMemoryMiB')
    if (profile !== undefined) workingMemoryBytes = workingBytesFor(init.maxMemoryMiB, profile, tiles)
  }
  return { network, serve, tiles, maxCpu, profile, recordTiming, ...(workingMemoryBytes !== undefined ? { workingMemoryBytes } : {}) }
}
