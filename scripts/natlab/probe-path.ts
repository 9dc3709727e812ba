/** Where the probe programs are, and how to start one with this process's Node. */
import { fileURLToPath } from 'node:url'

/** The probe programs shipped in ./probes. */
export type ProbeName = 'echo' | 'observe' | 'connect' | 'punch' | 'stun-client' | 'stun-server' | 'shard-client'

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts')

/**
 * argv that runs a probe with the same Node binary as this process (the repository's Node 24: the machine's own
 * node may be older). Compiled: `node …/dist/natlab/probes/<name>.js`; from source (tsx): through tsx.
 */
export function probeArgv (name: ProbeName): string[] {
  const file = fileURLToPath(new URL(`./probes/${name}.${RUNNING_FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url))
  return RUNNING_FROM_SOURCE ? [process.execPath, '--import', 'tsx', file] : [process.execPath, file]
}
