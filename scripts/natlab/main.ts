/**
 * `npm run natlab -- <command>`: the NAT lab from the command line.
 *
 *   up [--delay-ms N] [--loss PERCENT] [--stun auto|coturn|node]   build the lab (idempotent)
 *   down                                                           stop its processes, remove its namespaces
 *   status [--json]                                                what exists and runs
 *   exec HOST CMD...                                               run CMD inside HOST's namespace
 *   test [--seed S] [--json]                                       self-check (brings the lab up and down if needed)
 *
 * Every command takes --prefix (default $TESSERA_NATLAB_PREFIX or `tl`). With no command:
 *
 *   [--attempts N] [--out DIR] [--json] [--mnist-requests N | --no-mnist]
 *                                                                  the traversal matrix, then the MNIST MLP through
 *                                                                  the same network: up, measure, down
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { DEFAULT_PREFIX, PREFIX_ENV } from './constants.js'
import { NatlabError } from './errors.js'
import { createLab } from './lab.js'
import type { LabStatus } from './lab.js'
import { runSelfCheck } from './selfcheck.js'
import { DEFAULT_MATRIX_ATTEMPTS, runMatrix } from './matrix.js'
import { MATRIX_REPORT_DIR, matrixJson, matrixTable, mnistText, writeMatrixReport } from './matrix-report.js'
import { DEFAULT_MNIST_REQUESTS } from './mnist.js'
import { renderTerminalTable } from '@tessera/report'

function number (value: string): number {
  const parsed = Number(value)
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError(`not a number: ${value}`)
  return parsed
}

function withPrefix (command: Command): Command {
  return command.addOption(new Option('--prefix <prefix>', 'namespace name prefix').env(PREFIX_ENV).default(DEFAULT_PREFIX))
}

function printStatus (status: LabStatus): void {
  console.log(`NAT lab ${status.prefix}: ${status.up ? 'up' : 'not up'}${status.options === undefined ? '' : ` (delay ${status.options.delayMs} ms, loss ${status.options.lossPercent}% per public link)`}`)
  if (status.stun !== undefined) {
    console.log(`STUN: ${status.stun.implementation} at ${status.stun.address}:${status.stun.port}, pid ${status.stun.pid} ${status.stun.running ? 'running' : 'NOT running'}`)
  }
  const rows = status.hosts.map((h) => [h.name, h.role + (h.nat === undefined ? '' : `/${h.nat}`), h.namespace, h.publicAddress ?? '', h.lanAddress ?? '', h.present ? String(h.pids.length) : 'absent'])
  const header = ['host', 'role', 'namespace', 'public', 'lan', 'processes']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)))
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd())
  if (status.strayNamespaces.length > 0) console.log(`namespaces of another topology: ${status.strayNamespaces.join(', ')} (\`down\` removes them)`)
}

const program = new Command('natlab')
  .description('tessera NAT lab: network namespaces with cone and symmetric NAT routers, confined to themselves; without a command, the traversal matrix (up, measure, down)')
  .enablePositionalOptions()

withPrefix(program)
  .option('--attempts <n>', 'attempts per pair type, each with a fresh client process and ports', number, DEFAULT_MATRIX_ATTEMPTS)
  .option('--out <dir>', 'report directory', MATRIX_REPORT_DIR)
  .option('--json', 'print only the matrix JSON')
  .option('--mnist-requests <n>', 'MNIST requests of the coordinator run after the pairs', number, DEFAULT_MNIST_REQUESTS)
  .option('--no-mnist', 'skip the MNIST run')
  .action(async (opts: { prefix: string, attempts: number, out: string, json?: boolean, mnist: boolean, mnistRequests: number }) => {
    const lab = createLab({ prefix: opts.prefix })
    const say = (line: string): void => { if (opts.json !== true) console.log(line) }
    const wasUp = (await lab.status()).up
    const started = performance.now()
    if (!wasUp) say(`built NAT lab ${lab.prefix} in ${(await lab.up()).buildMs.toFixed(0)} ms`)
    try {
      const result = await runMatrix(lab, {
        attempts: opts.attempts,
        mnist: opts.mnist ? { requests: opts.mnistRequests } : false,
        onProgress: say,
        onAttempt: (a) => {
          const r = a.result
          say(`${a.pair} #${a.index} ${a.client} → ${a.server}: ${r.error !== undefined ? `FAILED ${r.error.name}: ${r.error.message}` : `${r.direct === true ? 'direct' : 'relayed'}, connect ${r.connectMs?.toFixed(0) ?? '-'} ms, first result ${r.firstResultMs?.toFixed(0) ?? '-'} ms, upload ${r.uploadMiBps?.toFixed(1) ?? '-'} MiB/s`}`)
        }
      })
      const files = await writeMatrixReport(opts.out, result, `npm run natlab -- --attempts ${opts.attempts}: ${new Date().toISOString()}, ${((performance.now() - started) / 1000).toFixed(0)} s`)
      if (opts.json === true) {
        console.log(matrixJson(result))
      } else {
        console.log(renderTerminalTable(matrixTable(result.pairs)))
        if (opts.mnist) console.log(mnistText(result))
        console.log(`wrote ${files.join(', ')}`)
      }
    } finally {
      if (!wasUp) {
        const down = await lab.down()
        say(`NAT lab ${lab.prefix} down in ${down.ms.toFixed(0)} ms`)
      }
    }
  })

withPrefix(program.command('up').description('build the lab (a no-op when it is already up with the same options)'))
  .option('--delay-ms <ms>', 'delay added to each direction of each link to the public segment', number, 0)
  .option('--loss <percent>', 'loss on each direction of each link to the public segment', number, 0)
  .addOption(new Option('--stun <impl>', 'STUN responder').choices(['auto', 'coturn', 'node']).default('auto'))
  .action(async (opts: { prefix: string, delayMs: number, loss: number, stun: 'auto' | 'coturn' | 'node' }) => {
    const lab = createLab({ prefix: opts.prefix })
    const result = await lab.up({ delayMs: opts.delayMs, lossPercent: opts.loss, stun: opts.stun })
    console.log(result.alreadyUp
      ? `NAT lab ${lab.prefix} already up`
      : `NAT lab ${lab.prefix} up in ${result.buildMs.toFixed(0)} ms: ${Object.keys(lab.hosts).length} hosts, STUN (${result.stun.implementation}) at ${lab.stun.url}`)
  })

withPrefix(program.command('down').description('stop every process in the lab and remove its namespaces'))
  .action(async (opts: { prefix: string }) => {
    const result = await createLab({ prefix: opts.prefix }).down()
    console.log(`NAT lab ${opts.prefix} down in ${result.ms.toFixed(0)} ms: removed ${result.removedNamespaces.length} namespaces, stopped ${result.stoppedPids.length} processes`)
  })

withPrefix(program.command('status').description('show hosts, addresses and processes'))
  .option('--json', 'print JSON')
  .action(async (opts: { prefix: string, json?: boolean }) => {
    const status = await createLab({ prefix: opts.prefix }).status()
    if (opts.json === true) console.log(JSON.stringify(status, null, 2))
    else printStatus(status)
  })

withPrefix(program.command('exec').description('run a command inside a lab host').argument('<host>').argument('<command...>'))
  .passThroughOptions()
  .action(async (host: string, argv: string[], opts: { prefix: string }) => {
    const child = createLab({ prefix: opts.prefix }).exec(host, argv, { stdio: 'inherit' })
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', (c, s) => { resolve([c, s]) })
    })
    process.exitCode = code ?? (signal === null ? 1 : 128)
  })

withPrefix(program.command('test').description('self-check the lab (brings it up first, and down after, if it was not up)'))
  .option('--seed <seed>', 'seed of the ports the checks use (change it to re-run on a warm lab)', '1')
  .option('--json', 'print JSON')
  .action(async (opts: { prefix: string, seed: string, json?: boolean }) => {
    const lab = createLab({ prefix: opts.prefix })
    // A lab that is up is checked as it is (whatever its options); otherwise one is built and removed afterwards.
    const wasUp = (await lab.status()).up
    const buildMs = wasUp ? 0 : (await lab.up()).buildMs
    if (opts.json !== true && !wasUp) console.log(`built NAT lab ${lab.prefix} in ${buildMs.toFixed(0)} ms`)
    try {
      const results = await runSelfCheck(lab, {
        seed: opts.seed,
        onResult: opts.json === true ? undefined : (r) => { console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms): ${r.detail}`) }
      })
      const failed = results.filter((r) => !r.ok).length
      if (opts.json === true) console.log(JSON.stringify({ prefix: lab.prefix, buildMs, results }, null, 2))
      else console.log(`${results.length - failed} passed, ${failed} failed`)
      process.exitCode = failed === 0 ? 0 : 1
    } finally {
      if (!wasUp) {
        const down = await lab.down()
        if (opts.json !== true) console.log(`NAT lab ${lab.prefix} down in ${down.ms.toFixed(0)} ms`)
      }
    }
  })

try {
  await program.parseAsync(process.argv)
} catch (err) {
  console.error(err instanceof NatlabError ? `natlab: ${err.message}` : err)
  process.exitCode = 1
}
