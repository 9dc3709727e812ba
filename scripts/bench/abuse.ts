/**
 * The `abuse` benchmark: the hostile-client suite (`scripts/abuse/`) with longer phases. A `tessera node` on
 * 127.0.0.1 serves an honest client while each attack runs from a process of its own; one row per attack:
 * `npm run bench -- abuse --json` prints `{"loadAverage":[1, 5, 15 min],"abuse":[{"attack","honestCalls","honestFailures",
 * "honestP95Ratio","rssGrowthMiB","nodeAlive","peakPeersConnected","ownRecordHeld","honestRecordHeld"}]}`
 * (`honestP95Ratio`: the honest client's p95 under the attack ÷ just before it, alone; the load average is the
 * host's when the run ended, since on a shared machine it is most of what moves the ratios).
 */
import { loadavg } from 'node:os'
import { InvalidArgumentError } from 'commander'
import type { Command } from 'commander'
import { ATTACKS } from '../abuse/attacks.js'
import { runAbuseSuite } from '../abuse/harness.js'

function positiveMs (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer of ms')
  return n
}

export function registerAbuseCommand (program: Command): void {
  program
    .command('abuse')
    .description('hostile clients against a tessera node while an honest client runs (two extra processes)')
    .option('--json', 'print {"abuse":[…]} to stdout instead of a table')
    .option('--baseline-ms <ms>', 'honest client alone before each attack', positiveMs, 4_000)
    .option('--attack-ms <ms>', 'length of each attack', positiveMs, 10_000)
    .action(async (options: { json?: boolean, baselineMs: number, attackMs: number }) => {
      const rows = await runAbuseSuite({ attacks: Object.keys(ATTACKS), baselineMs: options.baselineMs, attackMs: options.attackMs })
      const out = rows.map(({ stats: _stats, ...row }) => row)
      const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100)
      if (options.json === true) {
        process.stdout.write(JSON.stringify({ loadAverage, abuse: out }) + '\n')
        return
      }
      process.stdout.write(`load average ${loadAverage.join(', ')}\n`)
      for (const r of out) {
        process.stdout.write(`${r.attack.padEnd(18)} calls ${String(r.honestCalls).padStart(5)}  failures ${r.honestFailures}  p95 ×${r.honestP95Ratio.toFixed(2)}  rss +${r.rssGrowthMiB.toFixed(1)} MiB  ${r.nodeAlive ? 'alive' : 'DOWN'}\n`)
      }
    })
}
