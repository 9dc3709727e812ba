/**
 * The tessera node options of a scenario's nodes: keys derived from the scenario seed (the same seed gives the
 * same peer ids, and the same placements where those depend on ids), device presets, tiles and emulated speed.
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { createDeviceProfile } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import type { TesseraNodeInit } from '@tessera/peer'
import type { ScenarioNode } from './scenario.js'

/** The key of the scenario's node (or client) `id`. */
export async function keyFor (seed: string, id: string): Promise<PrivateKey> {
  const bytes = createHash('sha256').update(`${seed}/node-key/${id}`, 'utf8').digest()
  return await generateKeyPairFromSeed('Ed25519', new Uint8Array(bytes))
}

/** Options of a serving node of the scenario (its key and connections are the caller's). */
export function nodeOptions (n: ScenarioNode, metricsIntervalMs: number, extra: Partial<TesseraNodeInit>): TesseraNodeInit {
  return {
    network: 'local',
    device: createDeviceProfile(n.preset as PresetName, { rows: n.geometry, cols: n.geometry }),
    tiles: n.tiles,
    emulatedMacsPerSecond: n.macsPerSecond,
    // The emulated rate is the node's speed: a start-up benchmark on shared cores would only add noise to it.
    calibrate: false,
    metricsIntervalMs,
    ...extra
  }
}
