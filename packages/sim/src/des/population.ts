/**
 * The modelled peers of a scenario: each scenario node with the device figures the crossbar's profile gives its
 * preset (MVM latency per read, noise level), its path, and its peer id — the real one for scenario networks, so
 * that ties in placement break as they do on the loopback network (packages/sim/src/local-network.ts derives the
 * keys from the scenario seed the same way).
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createDeviceProfile } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import type { Scenario, ScenarioNode } from '../scenario.js'
import type { DesPeerSpec } from './peer-model.js'

/** The peer ids a loopback network of `scenario` gets (from its seed), by node id. */
export async function scenarioPeerIds (scenario: Pick<Scenario, 'seed' | 'nodes'>): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const n of scenario.nodes) {
    const bytes = createHash('sha256').update(`${scenario.seed}/node-key/${n.id}`, 'utf8').digest()
    const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(bytes))
    ids.set(n.id, peerIdFromPrivateKey(key).toString())
  }
  return ids
}

const profileCache = new Map<string, { mvmLatencyNs: number, noiseLevel: number }>()

/** Device figures of a preset at a geometry, from the crossbar's own profile. */
export function deviceFigures (preset: string, geometry: number): { mvmLatencyNs: number, noiseLevel: number } {
  const key = `${preset}/${geometry}`
  let f = profileCache.get(key)
  if (f === undefined) {
    const p = createDeviceProfile(preset as PresetName, { rows: geometry, cols: geometry })
    f = { mvmLatencyNs: p.timing.mvmLatencyNs, noiseLevel: p.noiseLevel }
    profileCache.set(key, f)
  }
  return f
}

/** One scenario node as a modelled peer. */
export function peerSpecOf (n: ScenarioNode, peerId: string, path: DesPeerSpec['path'] = n.relayed === true ? 'relayed' : 'direct'): DesPeerSpec {
  return { ...n, peerId, path, ...deviceFigures(n.preset, n.geometry) }
}
