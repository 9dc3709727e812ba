/**
 * Builds the tarball a volunteer runs with `npx`: the CLI workspace (packages/cli) with the compiled JS of every
 * workspace it needs copied into its node_modules and listed in `bundleDependencies`, the WASM kernel beside
 * @tessera/crossbar's compiled JS (where its loader looks), and the third-party dependencies declared for npm to
 * fetch from the registry. The bundled packages keep the repository's layout (`dist/src/*.js`, `dist/kernel.wasm`),
 * so worker entry files, the .wasm and createRequire lookups resolve exactly as in a checkout.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  CLI_PACKAGE_DIR, DEFAULT_OUT_DIR, EXTRA_FOLDERS, NPM_PACK_TIMEOUT_MS, OPTIONAL_PEERS, REQUIRED_ASSETS, WORKSPACE_SCOPE
} from './constants.js'
import { InvalidWorkspaceError, MissingBuildError, NpmPackError } from './errors.js'
import { bundledManifest, checkImports, cliManifest, mergeThirdPartyDependencies, workspaceClosure } from './manifest.js'
import type { PackageManifest, WorkspacePackage } from './manifest.js'

const run = promisify(execFile)

/** Options of {@link packTessera}; every field is optional. */
export interface PackInit {
  /** The repository root (default: the checkout this script belongs to, compiled or run from source). */
  repoRoot?: string
  /** Where the tarball is written (default `<repoRoot>/dist-pack`); created if missing. */
  outDir?: string
  /** The npm executable (default `npm` on PATH). */
  npm?: string
}

/** What {@link packTessera} produced. */
export interface PackResult {
  /** Absolute path of the tarball. */
  tarball: string
  name: string
  version: string
  /** Compressed size of the tarball. */
  sizeBytes: number
  unpackedSizeBytes: number
  entryCount: number
  /** Workspace packages copied into the tarball. */
  bundled: string[]
  /** Third-party dependencies npm fetches at install time. */
  dependencies: Record<string, string>
  /** Optional peers a command needs only when it runs (see OPTIONAL_PEERS). */
  optionalPeers: Record<string, string>
}

function defaultRepoRoot (): string {
  // Compiled to scripts/dist/pack/pack.js; under tsx run from scripts/pack/pack.ts.
  const scripts = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  return basename(scripts) === 'dist' ? resolve(scripts, '..', '..') : resolve(scripts, '..')
}

async function readManifest (dir: string): Promise<PackageManifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageManifest
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Every `*.ts` source (not `.d.ts`) under `dir`, as paths relative to it. */
async function sources (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

/** The trailing `//# sourceMappingURL=` line: the maps and the TypeScript sources they point to are not shipped. */
const SOURCE_MAP_LINE = /\n\/\/# sourceMappingURL=\S+\s*$/

/**
 * Copies the compiled output of `src/` (the `.js` and `.d.ts` of each current source, so that output left over
 * from deleted sources is not shipped) and the package's `dist/*.wasm`. Returns the copied JS by destination path.
 */
async function copyCompiled (repoRoot: string, pkg: WorkspacePackage, dest: string): Promise<Map<string, string>> {
  const pkgDir = join(repoRoot, pkg.dir)
  const js = new Map<string, string>()
  const srcDir = join(pkgDir, 'src')
  for (const source of await sources(srcDir)) {
    const base = source.slice(0, -'.ts'.length)
    for (const ext of ['.js', '.d.ts']) {
      const from = join(pkgDir, 'dist', 'src', base + ext)
      let text: string
      try {
        text = await readFile(from, 'utf8')
      } catch {
        throw new MissingBuildError(`${relative(repoRoot, from)} is missing (compiled from ${pkg.dir}/src/${source}): run \`npm run build\` first`)
      }
      const to = join(dest, 'dist', 'src', base + ext)
      await mkdir(dirname(to), { recursive: true })
      const stripped = text.replace(SOURCE_MAP_LINE, '\n')
      await writeFile(to, stripped)
      if (ext === '.js') js.set(relative(dest, to), stripped)
    }
  }
  const distDir = join(pkgDir, 'dist')
  for (const name of (await readdir(distDir)).filter((n) => n.endsWith('.wasm')).sort()) {
    await cp(join(distDir, name), join(dest, 'dist', name))
  }
  for (const asset of REQUIRED_ASSETS[pkg.manifest.name] ?? []) {
    if (!await exists(join(dest, asset))) {
      throw new MissingBuildError(`${pkg.dir}/${asset} is missing: run \`npm run build\` (it builds the WASM kernel too)`)
    }
  }
  return js
}

async function loadWorkspaces (repoRoot: string): Promise<Map<string, WorkspacePackage>> {
  const root = await readManifest(repoRoot)
  const map = new Map<string, WorkspacePackage>()
  for (const dir of root.workspaces ?? []) {
    const manifest = await readManifest(join(repoRoot, dir))
    map.set(manifest.name, { dir, manifest })
  }
  return map
}

async function npmPack (npm: string, cwd: string, outDir: string): Promise<{ filename: string, size: number, unpackedSize: number, entryCount: number }> {
  let stdout: string
  try {
    // ignore-scripts: the staged package has none, and nothing from the environment should run either.
    ({ stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
      cwd, timeout: NPM_PACK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' }
    }))
  } catch (err) {
    const e = err as Error & { stderr?: string }
    throw new NpmPackError(`npm pack failed: ${e.stderr?.trim() ?? e.message}`, { cause: err })
  }
  try {
    const [report] = JSON.parse(stdout) as Array<{ filename: string, size: number, unpackedSize: number, entryCount: number }>
    return report
  } catch {
    throw new NpmPackError(`npm pack printed no JSON report: ${stdout.slice(0, 500)}`)
  }
}

/**
 * Packs the CLI with its workspaces into one tarball (see the module comment). Needs a built repository
 * (`npm run build`); reads nothing from the network.
 *
 * @example
 * ```ts
 * const { tarball, sizeBytes } = await packTessera({ outDir: 'dist-pack' })
 * // a volunteer: npx ./dist-pack/tessera-cli-0.1.0.tgz node --bootstrap /ip4/…/p2p/…
 * ```
 */
export async function packTessera (init: PackInit = {}): Promise<PackResult> {
  const repoRoot = resolve(init.repoRoot ?? defaultRepoRoot())
  const outDir = resolve(repoRoot, init.outDir ?? DEFAULT_OUT_DIR)
  const npm = init.npm ?? 'npm'
  const workspaces = await loadWorkspaces(repoRoot)
  const cli = [...workspaces.values()].find((w) => w.dir === CLI_PACKAGE_DIR)
  if (cli === undefined) throw new InvalidWorkspaceError(`${CLI_PACKAGE_DIR} is not a workspace of ${repoRoot}`)
  const bundled = workspaceClosure(cli, workspaces, WORKSPACE_SCOPE)
  const merged = mergeThirdPartyDependencies([cli.manifest, ...bundled.map((b) => b.manifest)], WORKSPACE_SCOPE, OPTIONAL_PEERS)

  const readme = join(repoRoot, CLI_PACKAGE_DIR, 'README.md')
  if (!await exists(readme)) throw new InvalidWorkspaceError(`${CLI_PACKAGE_DIR}/README.md is missing: the published package needs one`)

  const stage = await mkdtemp(join(tmpdir(), 'tessera-pack-'))
  try {
    // npm pack takes the package's own name for the folder; staging outside the checkout keeps the workspace
    // root (and its hoisted node_modules) out of npm's view.
    const root = join(stage, 'package')
    const shipped = new Map<string, string>()
    for (const [path, text] of await copyCompiled(repoRoot, cli, root)) shipped.set(path, text)
    for (const pkg of bundled) {
      const dest = join(root, 'node_modules', ...pkg.manifest.name.split('/'))
      for (const [path, text] of await copyCompiled(repoRoot, pkg, dest)) shipped.set(join('node_modules', pkg.manifest.name, path), text)
      await writeFile(join(dest, 'package.json'), JSON.stringify(bundledManifest(pkg.manifest, OPTIONAL_PEERS), null, 2) + '\n')
    }
    const provided = new Set([cli.manifest.name, ...bundled.map((b) => b.manifest.name), ...Object.keys(merged.dependencies), ...Object.keys(merged.optionalPeers)])
    checkImports(shipped, provided)

    const manifest = cliManifest(cli.manifest, bundled.map((b) => b.manifest), merged, EXTRA_FOLDERS)
    await writeFile(join(root, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
    await cp(readme, join(root, 'README.md'))
    // The committed launcher that the manifest's `bin` names (it checks the Node version, then loads dist/src/bin.js).
    await cp(join(repoRoot, CLI_PACKAGE_DIR, 'bin'), join(root, 'bin'), { recursive: true })
    for (const folder of EXTRA_FOLDERS) await cp(join(repoRoot, folder), join(root, folder), { recursive: true })

    await mkdir(outDir, { recursive: true })
    const report = await npmPack(npm, root, outDir)
    return {
      tarball: join(outDir, report.filename),
      name: manifest.name,
      version: manifest.version,
      sizeBytes: report.size,
      unpackedSizeBytes: report.unpackedSize,
      entryCount: report.entryCount,
      bundled: bundled.map((b) => b.manifest.name),
      dependencies: merged.dependencies,
      optionalPeers: merged.optionalPeers
    }
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}
