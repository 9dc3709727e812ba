/** Starting the lab's STUN responder inside the `stun` host: coturn when installed, else the Node responder. */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { STUN_READY_TIMEOUT_MS } from './constants.js'
import { findProgram, runCommand } from './commands.js'
import type { Tools } from './commands.js'
import { LabPrerequisiteError, LabProcessError } from './errors.js'
import { probeArgv } from './probe-path.js'
import type { TopologyPlan } from './topology.js'

/** Which STUN responder to run: coturn's `turnserver` in STUN-only mode, the Node responder, or coturn if found. */
export type StunImplementation = 'coturn' | 'node'
export type StunChoice = StunImplementation | 'auto'

/** A running STUN responder. */
export interface StunProcess {
  implementation: StunImplementation
  pid: number
  address: string
  port: number
  logFile: string
}

function stunArgv (implementation: StunImplementation, plan: TopologyPlan, logFile: string): string[] {
  if (implementation === 'coturn') {
    const turnserver = findProgram('turnserver')
    if (turnserver === undefined) throw new LabPrerequisiteError('coturn is not installed (no turnserver): run `bash .ci/natlab-deps.sh` or choose the node STUN responder')
    return [turnserver, '-n', '--stun-only', '-L', plan.stun.address, '-p', String(plan.stun.port), '--no-cli', '--no-tls', '--no-dtls',
      '--no-software-attribute', '--log-file', logFile, '--simple-log', '--no-stdout-log']
  }
  return [...probeArgv('stun-server'), '--address', plan.stun.address, '--port', String(plan.stun.port), '--lifetime-ms', '0']
}

/**
 * Starts the STUN responder detached inside the stun host's namespace (so it outlives a CLI `up`; `down` stops it
 * with everything else in the lab) and waits until its UDP port is bound.
 */
export async function startStun (tools: Tools, plan: TopologyPlan, choice: StunChoice, logDir: string): Promise<StunProcess> {
  const implementation: StunImplementation = choice === 'auto' ? (findProgram('turnserver') !== undefined ? 'coturn' : 'node') : choice
  const namespace = plan.hosts[plan.stun.host].namespace
  const logFile = join(logDir, `stun-${implementation}.log`)
  const argv = stunArgv(implementation, plan, logFile)
  const out = openSync(join(logDir, 'stun.out'), 'a')
  const child = spawn(tools.ip, ['netns', 'exec', namespace, ...argv], { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  let exited: number | null | undefined
  child.on('exit', (code) => { exited = code })
  child.on('error', () => { exited = -1 })
  child.unref()
  const deadline = Date.now() + STUN_READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exited !== undefined) break
    const result = await runCommand(['ss', '-N', namespace, '-H', '-l', '-u', '-n', `sport = :${plan.stun.port}`])
    if (result.code === 0 && result.stdout.trim() !== '') {
      return { implementation, pid: child.pid ?? -1, address: plan.stun.address, port: plan.stun.port, logFile }
    }
    await sleep(20)
  }
  throw new LabProcessError(`the ${implementation} STUN responder did not listen on ${plan.stun.address}:${plan.stun.port} within ${STUN_READY_TIMEOUT_MS} ms${exited !== undefined ? ` (it exited with ${exited})` : ''}; see ${logDir}`)
}
