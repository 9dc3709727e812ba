/**
 * Tries one TCP connection and classifies the outcome:
 * `connect --target A:P [--timeout-ms T] [--local-port L]` →
 * `{"event":"outcome","outcome":"connected"|"refused"|"timeout"|"unreachable"|"error","code":…,"ms":…}`.
 * "timeout" means nothing answered (a silent drop); "refused" means a RST came back; "unreachable" means an
 * ICMP error or no route.
 */
import { connect } from 'node:net'
import { parseArgs } from 'node:util'
import { emit, fail, parseCount, parseEndpoint } from './common.js'

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])

try {
  const { values } = parseArgs({ options: { target: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'local-port': { type: 'string' } } })
  const target = parseEndpoint(values.target ?? '')
  const timeoutMs = parseCount('timeout-ms', values['timeout-ms'], 2500)
  const localPort = parseCount('local-port', values['local-port'], 0)
  const started = performance.now()
  const socket = connect({ host: target.address, port: target.port, localPort: localPort === 0 ? undefined : localPort })
  const report = (outcome: string, code?: string): void => {
    emit({ event: 'outcome', outcome, code, ms: Math.round(performance.now() - started) })
    socket.destroy()
    process.exit(0)
  }
  const timer = setTimeout(() => { report('timeout') }, timeoutMs)
  socket.on('connect', () => { clearTimeout(timer); report('connected') })
  socket.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer)
    const code = err.code ?? 'UNKNOWN'
    report(code === 'ECONNREFUSED' ? 'refused' : UNREACHABLE.has(code) ? 'unreachable' : 'error', code)
  })
} catch (err) {
  fail(err)
}
