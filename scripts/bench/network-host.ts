/**
 * Child process of the `network` benchmark's multi-process runs: starts `--nodes` tessera nodes on 127.0.0.1,
 * bootstrapped to `--bootstrap` (or to its own first node when none is given), prints one JSON line
 * `{"addrs":[…]}` with every node's first address, and stops them all on SIGTERM or when stdin closes.
 */
import { createTesseraNode } from '@tessera/node'
import type { TesseraNode } from '@tessera/node'

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

const first = await createTesseraNode({ ...init, bootstrap: bootstrapArg == null ? [] : [bootstrapArg] })
nodes.push(first)
const bootstrap = [bootstrapArg ?? first.getMultiaddrs()[0].toString()]
for (let i = 1; i < count; i++) nodes.push(await createTesseraNode({ ...init, bootstrap }))
process.stdout.write(JSON.stringify({ addrs: nodes.map((n) => n.getMultiaddrs()[0].toString()) }) + '\n')
