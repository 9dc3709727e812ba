/**
 * The tessera nodes the `network` benchmark starts on loopback, in this process (network.ts, network-discovery.ts)
 * or in a host child process (network-host.ts): an ideal device (the figures are the protocol's, not the device
 * physics'), no calibration, and scale networks bootstrapped to their first few nodes.
 */
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'

/** Options every bench node starts with (spread into its init). */
export const LOCAL_NODE = Object.freeze({ network: 'local' as const, device: 'ideal' as const, calibrate: false })

/** Bootstrap nodes of a scale network: the first few nodes started (one alone refuses dials under a burst of joins). */
export const BOOTSTRAP_NODES = 3

/**
 * Starts `n` scale-network nodes (2 tiles each) one after another, each bootstrapped to `given` or, when none is
 * given, to the first {@link BOOTSTRAP_NODES} started. Each is pushed onto `nodes` as it starts, so the caller stops
 * those started even when a later one fails. Returns the bootstrap addresses.
 */
export async function startScaleNodes (n: number, nodes: TesseraNode[], given: readonly string[] = []): Promise<string[]> {
  const bootstrap = [...given]
  for (let i = 0; i < n; i++) {
    const node = await createTesseraNode({ ...LOCAL_NODE, tiles: 2, bootstrap: [...bootstrap] })
    nodes.push(node)
    if (given.length === 0 && i < BOOTSTRAP_NODES) bootstrap.push(node.getMultiaddrs()[0].toString())
  }
  return bootstrap
}
