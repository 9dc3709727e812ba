/**
 * A worker thread that measures one seed of one scenario ({@link measureSeed}), so that `tessera paper` can run
 * two seeds at once: each network's libp2p nodes and coordinator then have an event loop of their own.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { describeError } from '@tessera/errors'
import { loadMnistWorkload } from '@tessera/coordinator'
import { measureSeed } from './measure.js'
import type { SeedJob, WorkerMessage } from './run.js'

async function main (): Promise<void> {
  const job = workerData as SeedJob
  const post = (message: WorkerMessage): void => { parentPort?.postMessage(message) }
  try {
    const workload = await loadMnistWorkload({ cacheDir: job.cacheDir, seed: job.scenario.seed })
    const run = await measureSeed({ ...job, workload, onPhase: (line) => { post({ kind: 'phase', line }) } })
    post({ kind: 'done', run })
  } catch (err) {
    post({ kind: 'failed', error: describeError(err) })
  }
}

void main()
