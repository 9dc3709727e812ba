/** Checking the options of `createTesseraNode` before anything starts, so a bad value costs nothing to report. */
import { PRESET_NAMES, createDeviceProfile } from '@tessera/crossbar'
import { DEFAULT_DEVICE_PRESET, DEFAULT_TILES } from './constants.js'
import { InvalidNodeOptionError } from './errors.js'
import { checkEmulatedRate } from './executor/worker-executor.js'
import { workingMemoryBytes as workingBytesFor } from './executor/memory-budget.js'
import { parseListenAddress } from './prometheus.js'
import type { NetworkMode } from './libp2p.js'
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
}

function checkPositiveInt (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidNodeOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

function checkPositiveMs (value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new InvalidNodeOptionError(`${what} must be a positive number of ms, got ${value}`)
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
    checkPositiveMs(value, what)
  }
  if (init.emulatedMacsPerSecond !== undefined) checkEmulatedRate(init.emulatedMacsPerSecond)
  if (init.metricsListen !== undefined) parseListenAddress(init.metricsListen)
  const profile = serve ? resolveProfile(init.device) : undefined
  let workingMemoryBytes: number | undefined
  if (init.maxMemoryMiB !== undefined) {
    checkPositiveInt(init.maxMemoryMiB, 'maxMemoryMiB')
    if (profile !== undefined) workingMemoryBytes = workingBytesFor(init.maxMemoryMiB, profile, tiles)
  }
  return { network, serve, tiles, maxCpu, profile, ...(workingMemoryBytes !== undefined ? { workingMemoryBytes } : {}) }
}
