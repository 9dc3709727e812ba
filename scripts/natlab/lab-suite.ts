/**
 * The set-up of a NAT lab test suite: before its tests the lab comes up (root required, else the suite fails with
 * the reason) and a network of `tessera node` servers starts on it; after them both are taken down again.
 */
import { after, before } from 'node:test'
import { requireRoot } from './commands.js'
import { LabPrerequisiteError } from './errors.js'
import { createLab } from './lab.js'
import type { Lab } from './lab.js'
import { startLabNetwork } from './lab-network.js'
import type { LabNetwork, LabNetworkInit } from './lab-network.js'

/** The lab and network of a suite, available once its `before` hook has run. */
export interface LabSuite {
  lab: () => Lab
  network: () => LabNetwork
}

/**
 * Registers the suite's hooks (call inside `describe`). `prefix` names the lab's namespaces: one lab per test file
 * and process, since namespace names are global.
 */
export function useLabNetwork (prefix: string, init: LabNetworkInit): LabSuite {
  let lab: Lab | undefined
  let network: LabNetwork | undefined
  before(async () => {
    requireRoot()
    lab = createLab({ prefix })
    await lab.up()
    network = await startLabNetwork(lab, init)
  })
  after(async () => {
    await network?.stop()
    await lab?.down()
  })
  return {
    lab: () => started(lab),
    network: () => started(network)
  }
}

function started<T> (value: T | undefined): T {
  if (value === undefined) throw new LabPrerequisiteError('the NAT lab suite did not start (see its before hook\'s failure)')
  return value
}
