// Shared set-up of the end-to-end tests: the trained MNIST workload, and the simulations' session (a loopback
// network started from a scenario, here with short record and metrics periods, and a coordinator that has
// discovered every node).
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadMnistWorkload } from '@tessera/coordinator'
import { openScenario } from '@tessera/sim'
import type { Coordinator, MnistWorkload } from '@tessera/coordinator'
import type { LocalNetwork, Scenario } from '@tessera/sim'

/** The trained-model cache the demo uses too, so tests train at most once per checkout. */
export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports', 'cache', 'models')

export interface E2eNetwork {
  net: LocalNetwork
  coordinator: Coordinator
  workload: MnistWorkload
  stop: () => Promise<void>
}

/** Starts the scenario's nodes and a coordinator, and waits until the coordinator has found all of them. */
export async function startE2eNetwork (scenario: Scenario): Promise<E2eNetwork> {
  const workload = await loadMnistWorkload({ cacheDir: CACHE_DIR, seed: scenario.seed })
  const session = await openScenario(scenario, {
    network: { metricsIntervalMs: 500, nodeInit: { recordRefreshMs: 2_000, recordTtlMs: 10_000, redialIntervalMs: 300 } },
    coordinator: { callTimeoutMs: 5_000, metricsIntervalMs: 500 },
    discoveryTimeoutMs: 30_000,
    settleMs: 0
  })
  if (session.targets.length !== scenario.nodes.length) {
    await session.stop()
    assert.fail(`the coordinator found ${session.targets.length} of ${scenario.nodes.length} nodes`)
  }
  return { net: session.net, coordinator: session.coordinator, workload, stop: session.stop }
}

/**
 * The peer holding the most last copies in a placement (shard id → holders), undefined when every shard has two
 * or more. tessera replicates some shards, and a shard whose other copy survives needs no re-placement: only the
 * loss of a last copy makes a re-placement certain.
 */
export function peerWithMostSoleCopies (placement: Record<string, string[]>): string | undefined {
  const soleCopies = new Map<string, number>()
  for (const peers of Object.values(placement)) if (peers.length === 1) soleCopies.set(peers[0], (soleCopies.get(peers[0]) ?? 0) + 1)
  return [...soleCopies].sort((a, b) => b[1] - a[1])[0]?.[0]
}
