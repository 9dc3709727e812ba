/**
 * Connects from one local TCP port to several echo servers, one after the other, and prints the address each
 * saw: `observe --local-port L --target A:P [--target A:P …] [--timeout-ms T]` →
 * `{"event":"observed","localPort":L,"observations":[{"target":"A:P","address":…,"port":…}|{"target":…,"error":…}]}`.
 * Every connection stays open until the end, so each later one is a second flow from the same port while the
 * first mapping is live: what tells an endpoint-independent NAT from a symmetric one.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { emit, fail, parseCount, parseEndpoint } from './common.js'
import type { Endpoint } from './common.js'

async function observe (target: Endpoint, localPort: number, timeoutMs: number, open: Socket[]): Promise<Record<string, unknown>> {
  const label = `${target.address}:${target.port}`
  return await new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port, localPort: localPort === 0 ? undefined : localPort })
    open.push(socket)
    const timer = setTimeout(() => { resolve({ target: label, error: 'timeout' }) }, timeoutMs)
    socket.on('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); resolve({ target: label, error: err.code ?? err.message }) })
    createInterface({ input: socket }).once('line', (line) => {
      clearTimeout(timer)
      const seen = JSON.parse(line) as { address: string, port: number }
      resolve({ target: label, localPort: socket.localPort, address: seen.address, port: seen.port })
    })
  })
}

try {
  const { values } = parseArgs({ options: { 'local-port': { type: 'string' }, target: { type: 'string', multiple: true }, 'timeout-ms': { type: 'string' } } })
  const localPort = parseCount('local-port', values['local-port'], 0)
  const timeoutMs = parseCount('timeout-ms', values['timeout-ms'], 3000)
  const targets = (values.target ?? []).map(parseEndpoint)
  if (targets.length === 0) throw new Error('give at least one --target')
  const open: Socket[] = []
  const observations: Array<Record<string, unknown>> = []
  for (const target of targets) observations.push(await observe(target, localPort, timeoutMs, open))
  emit({ event: 'observed', localPort, observations })
  for (const socket of open) socket.destroy()
} catch (err) {
  fail(err)
}
