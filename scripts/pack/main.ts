/**
 * `npm run pack [-- --out <dir>] [-- --json]`: writes the publishable tarball (default dist-pack/) and prints
 * where it is, its size and how a volunteer starts a node with it.
 */
import { isAbsolute, relative } from 'node:path'
import { Command } from 'commander'
import { DEFAULT_OUT_DIR } from './constants.js'
import { PackError } from './errors.js'
import { packTessera } from './pack.js'

const program = new Command('pack')
  .description('pack the tessera CLI (with its workspace packages and the WASM kernel) into one npm tarball')
  .option('--out <dir>', 'output folder, relative to the repository root', DEFAULT_OUT_DIR)
  .option('--json', 'print the result as JSON', false)
  .action(async (opts: { out: string, json: boolean }) => {
    const result = await packTessera({ outDir: opts.out })
    if (opts.json) {
      console.log(JSON.stringify(result))
      return
    }
    console.log(`${result.name}@${result.version}: ${result.tarball}`)
    console.log(`  ${(result.sizeBytes / 1024).toFixed(1)} KiB packed, ${(result.unpackedSizeBytes / 1024).toFixed(1)} KiB unpacked, ${result.entryCount} files`)
    console.log(`  bundled: ${result.bundled.join(', ')}`)
    console.log(`  fetched from the registry at install: ${Object.keys(result.dependencies).length} dependencies`)
    // npx runs an absolute path as a program: a volunteer's command needs `./…` or `file:/…`.
    const rel = relative(process.cwd(), result.tarball)
    const spec = rel.startsWith('..') || isAbsolute(rel) ? `file:${result.tarball}` : `./${rel}`
    console.log(`start a node from it: npx ${spec} node --bootstrap <multiaddr>`)
  })

try {
  await program.parseAsync(process.argv)
} catch (err) {
  console.error(`pack: ${err instanceof PackError ? `${err.name}: ${err.message}` : String(err)}`)
  process.exitCode = 1
}
