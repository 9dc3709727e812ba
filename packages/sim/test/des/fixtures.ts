/** A small simulated network for fast tests: five peers, open loop, a few seconds. */
import type { Scenario } from '../../src/scenario.js'
import { validateScenario } from '../../src/scenario.js'
import { loopbackNetwork } from '../../src/des/calibration.js'
import type { NetworkModel } from '../../src/des/network-model.js'

/** Five 128×128 peers with room for the MNIST MLP twice over; 80 requests/s for `durationMs`. */
export function smallScenario (overrides: Partial<Scenario> = {}): Scenario {
  return validateScenario({
    name: 'des-small',
    description: 'five peers for the simulator tests',
    seed: 'des-test',
    requests: 100000,
    batchSize: 16,
    batchesInFlight: 4,
    arrivalRps: 80,
    durationMs: 4000,
    nodes: [
      { id: 'a', preset: 'ideal', geometry: 128, tiles: 8, macsPerSecond: 20_000_000, delayMs: 2 },
      { id: 'b', preset: 'pcm', geometry: 128, tiles: 8, macsPerSecond: 15_000_000, delayMs: 3 },
      { id: 'c', preset: 'rram-hifi', geometry: 128, tiles: 8, macsPerSecond: 12_000_000, delayMs: 4 },
      { id: 'd', preset: 'ideal', geometry: 128, tiles: 6, macsPerSecond: 10_000_000, delayMs: 5 },
      { id: 'e', preset: 'pcm', geometry: 128, tiles: 6, macsPerSecond: 8_000_000, delayMs: 6 }
    ],
    timeline: [],
    ...overrides
  })
}

/** Synthetic peer ids (the tests need no libp2p keys). */
export function peerIdsOf (scenario: Scenario): Map<string, string> {
  return new Map(scenario.nodes.map((n) => [n.id, `peer-${n.id}`]))
}

/** A loopback model with a stated 2 ms stack cost per call and programming times of the order measured. */
export const network: NetworkModel = loopbackNetwork({ callOverheadMs: 2, pingRttMs: 0.2, calls: 0, programMsByPreset: { ideal: 20, pcm: 40, 'rram-hifi': 10, 'rram-4bit': 40 } })
