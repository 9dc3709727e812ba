/**
 * The set-up the demo, the simulations and the end-to-end tests share: a scenario's network on 127.0.0.1 and a
 * coordinator on its client node (with the scenario's emulated delays) that has found every starting node, then
 * waited for their load gossip; and the run options every scenario run has in common.
 */
import { logger } from '@libp2p/logger'
import { createCoordinator } from '@tessera/coordinator'
import type { Coordinator, CoordinatorInit, MnistWorkload, PeerTarget, RunJobOptions } from '@tessera/coordinator'
import { SCENARIO_DISCOVERY_TIMEOUT_MS, SCENARIO_SETTLE_MS } from './constants.js'
import { startLocalNetwork } from './local-network.js'
import type { LocalNetwork, LocalNetworkInit } from './local-network.js'
import type { Scenario } from './scenario.js'
import { sleep } from './sleep.js'

const log = logger('tessera:sim:session')

/** Options of {@link openScenario}. */
export interface OpenScenarioInit {
  /** Options of the loopback network (progress messages, shorter timers in tests). */
  network?: LocalNetworkInit
  /** Coordinator options besides its node and the scenario's delays. */
  coordinator?: Omit<CoordinatorInit, 'node' | 'emulatedDelayMs'>
  /** How long discovery may take, ms (default {@link SCENARIO_DISCOVERY_TIMEOUT_MS}). */
  discoveryTimeoutMs?: number
  /** Wait after discovery, ms (default {@link SCENARIO_SETTLE_MS}; 0: none). */
  settleMs?: number
  /** Told once the network is up, before discovery, and awaited (live views watch its coordinator node from then). */
  onNetwork?: (net: LocalNetwork) => void | Promise<void>
}

/** A scenario's running network with its coordinator. */
export interface ScenarioSession {
  net: LocalNetwork
  coordinator: Coordinator
  /** The peers discovery found (the starting nodes). */
  targets: PeerTarget[]
  /** From the start of the network until every starting node was found, ms (wall clock). */
  discoveredAfterMs: number
  /** Stops the coordinator and the network. */
  stop: () => Promise<void>
}

/** Starts the scenario's network and a coordinator that has discovered its starting nodes (see the module comment). */
export async function openScenario (scenario: Scenario, init: OpenScenarioInit = {}): Promise<ScenarioSession> {
  const startMs = performance.now()
  const net = await startLocalNetwork(scenario, init.network)
  const coordinator = createCoordinator({ ...init.coordinator, node: net.coordinatorNode, emulatedDelayMs: net.delayByPeerId })
  const stop = async (): Promise<void> => {
    await coordinator.stop()
    await net.stop()
  }
  try {
    await init.onNetwork?.(net)
    const starting = scenario.nodes.filter((n) => n.standby !== true).length
    const targets = await coordinator.discover({ minPeers: starting, timeoutMs: init.discoveryTimeoutMs ?? SCENARIO_DISCOVERY_TIMEOUT_MS })
    const discoveredAfterMs = performance.now() - startMs
    log('%s: found %d of %d starting nodes after %d ms', scenario.name, targets.length, starting, Math.round(discoveredAfterMs))
    await sleep(init.settleMs ?? SCENARIO_SETTLE_MS)
    return { net, coordinator, targets, discoveredAfterMs, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The options of a run of `policy` on `workload` that follow from the scenario (batches, copies, seed). */
export function scenarioRunOptions (scenario: Scenario, workload: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'>, policy: string): Pick<RunJobOptions, 'job' | 'policy' | 'inputs' | 'labels' | 'batchSize' | 'batchesInFlight' | 'replicas' | 'seed'> {
  return {
    job: workload.job,
    policy,
    inputs: workload.inputs,
    labels: workload.labels,
    batchSize: scenario.batchSize,
    batchesInFlight: scenario.batchesInFlight,
    replicas: scenario.replicas ?? 1,
    seed: scenario.seed
  }
}
