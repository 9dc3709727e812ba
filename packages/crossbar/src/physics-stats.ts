/** The device cost model of one `execute` call: one MVM latency and rows × cols MACs per analog read. */
import type { ExecuteStats } from './physics-types.js'
import type { DeviceProfile } from './profile-types.js'

export function executeStats (profile: DeviceProfile, reads: number, rows: number, cols: number): ExecuteStats {
  const macs = reads * rows * cols
  return { deviceTimeNs: reads * profile.timing.mvmLatencyNs, energyPj: macs * profile.timing.energyPjPerMac, macs }
}
