// Runs the `tessera` command as a user would (its committed launcher, this Node), for the end-to-end tests.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (the tests run from test/dist). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'tessera.js')

/** Every placement policy, in the order the reports list them. */
export const POLICIES = ['tessera', 'ray-like', 'memory-proportional', 'petals-like', 'round-robin', 'random']

/** Runs `tessera <args>` from the repository root to its end; killed after `timeoutMs` (a hung run). */
export async function runTessera (args: string[], timeoutMs: number): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
