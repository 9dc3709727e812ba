// Shared set-up of the end-to-end tests: the trained MNIST workload, a loopback network started from a scenario
// with short record and metrics periods, and a coordinator that has discovered every node.
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCoordinator, loadMnistWorkload } from '@tessera/coordinator'
import { startLocalNetwork } from '@tessera/sim'
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
  const net = await startLocalNetwork(scenario, { metricsIntervalMs: 500, nodeInit: { recordRefreshMs: 2_000, recordTtlMs: 10_000, redialIntervalMs: 300 } })
  const coordinator = createCoordinator({ node: net.coordinatorNode, callTimeoutMs: 5_000, metricsIntervalMs: 500 })
  const stop = async (): Promise<void> => {
    await coordinator.stop()
    await net.stop()
  }
  try {
    const found = await coordinator.discover({ minPeers: scenario.nodes.length, timeoutMs: 30_000 })
    assert.equal(found.length, scenario.nodes.length)
  } catch (err) {
    await stop()
    throw err
  }
  return { net, coordinator, workload, stop }
}
