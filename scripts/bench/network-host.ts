/**
 * Child process of the `network` benchmark's multi-process runs: starts `--nodes` tessera nodes on 127.0.0.1,
 * bootstrapped to `--bootstrap` (comma-separated multiaddrs; when none is given, to its own first three nodes as they
 * start), prints one JSON line
 * `{"addrs":[…]}` with every node's first address, and stops them all on SIGTERM or when stdin closes.
 */
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const count = Number(arg('--nodes') ?? '1')
const bootstrapArg = arg('--bootstrap')
const init = { network: 'local' as const, device: 'ideal' as const, tiles: 2, calibrate: false }
const nodes: TesseraNode[] = []
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
  process.exit(0)
}
process.on('SIGTERM', () => { void stop() })
process.stdin.on('close', () => { void stop() })
process.stdin.resume()

/** Bootstrap nodes taken from this host's own first nodes when no list is given. */
const BOOTSTRAP_NODES = 3
const given = bootstrapArg == null ? [] : bootstrapArg.split(',').filter((a) => a !== '')
const bootstrap = [...given]
for (let i = 0; i < count; i++) {
  const node = await createTesseraNode({ ...init, bootstrap: [...bootstrap] })
  nodes.push(node)
  if (given.length === 0 && i < BOOTSTRAP_NODES) bootstrap.push(node.getMultiaddrs()[0].toString())
}
process.stdout.write(JSON.stringify({ addrs: nodes.map((n) => n.getMultiaddrs()[0].toString()) }) + '\n')
