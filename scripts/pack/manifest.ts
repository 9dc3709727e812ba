/**
 * The published manifests: the CLI package with every workspace it needs bundled (`bundleDependencies`) and the
 * third-party dependencies of all of them declared at its top, where npm installs them and where Node's
 * resolution, walking up from a bundled package, finds them.
 */
import { isBuiltin } from 'node:module'
import { InvalidWorkspaceError } from './errors.js'

/** The fields of a package.json that packing reads or writes. */
export interface PackageManifest {
  name: string
  version: string
  description?: string
  type?: string
  license?: string
  main?: string
  types?: string
  bin?: Record<string, string>
  exports?: unknown
  files?: string[]
  engines?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional: boolean }>
  bundleDependencies?: string[]
  publishConfig?: Record<string, unknown>
  workspaces?: string[]
  [field: string]: unknown
}

/** A workspace package: its folder (relative to the repository root) and manifest. */
export interface WorkspacePackage {
  dir: string
  manifest: PackageManifest
}

/** Whether a dependency name is one of the repository's own packages. */
export function isWorkspaceName (name: string, scope: string): boolean {
  return name.startsWith(scope)
}

/**
 * Every workspace package `cli` needs at run time, directly or through another workspace, in a stable order
 * (breadth first, then by name). Throws InvalidWorkspaceError for a scoped dependency that is not a workspace.
 */
export function workspaceClosure (cli: WorkspacePackage, workspaces: ReadonlyMap<string, WorkspacePackage>, scope: string): WorkspacePackage[] {
  const seen = new Map<string, WorkspacePackage>()
  const queue = [cli]
  while (queue.length > 0) {
    const current = queue.shift() as WorkspacePackage
    const names = Object.keys(current.manifest.dependencies ?? {}).filter((name) => isWorkspaceName(name, scope)).sort()
    for (const name of names) {
      if (name === cli.manifest.name || seen.has(name)) continue
      const found = workspaces.get(name)
      if (found === undefined) throw new InvalidWorkspaceError(`${current.manifest.name} depends on ${name}, which is not a workspace of this repository`)
      seen.set(name, found)
      queue.push(found)
    }
  }
  return [...seen.values()]
}

/** The third-party dependencies of the published package, split into regular ones and optional peers. */
export interface MergedDependencies {
  dependencies: Record<string, string>
  optionalPeers: Record<string, string>
}

/**
 * Unites the third-party `dependencies` of the given manifests. The same package must be asked for with the same
 * range everywhere (InvalidWorkspaceError otherwise): the published package can install only one copy at its top.
 * Names in `optionalPeers` become optional peer dependencies instead.
 */
export function mergeThirdPartyDependencies (manifests: readonly PackageManifest[], scope: string,
  optionalPeers: Readonly<Record<string, string>> = {}): MergedDependencies {
  const ranges = new Map<string, { range: string, from: string }>()
  for (const manifest of manifests) {
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (isWorkspaceName(name, scope)) continue
      const known = ranges.get(name)
      if (known !== undefined && known.range !== range) {
        throw new InvalidWorkspaceError(`${name}: ${known.from} asks for ${known.range}, ${manifest.name} for ${range}; use one range in both`)
      }
      ranges.set(name, { range, from: manifest.name })
    }
  }
  const dependencies: Record<string, string> = {}
  const peers: Record<string, string> = {}
  for (const name of [...ranges.keys()].sort()) {
    const range = (ranges.get(name) as { range: string }).range
    if (Object.hasOwn(optionalPeers, name)) peers[name] = range
    else dependencies[name] = range
  }
  return { dependencies, optionalPeers: peers }
}

/** `exports` without the `development` condition, which points at TypeScript sources that are not published. */
export function publishedExports (exports: unknown): unknown {
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return exports
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(exports as Record<string, unknown>)) {
    if (key === 'development') continue
    out[key] = publishedExports(value)
  }
  return out
}

function optionalPeerFields (peers: Record<string, string>): Pick<PackageManifest, 'peerDependencies' | 'peerDependenciesMeta'> {
  const names = Object.keys(peers)
  if (names.length === 0) return {}
  return {
    peerDependencies: peers,
    peerDependenciesMeta: Object.fromEntries(names.map((name) => [name, { optional: true }]))
  }
}

function commonFields (manifest: PackageManifest): PackageManifest {
  const out: PackageManifest = { name: manifest.name, version: manifest.version }
  for (const field of ['description', 'type', 'license', 'main', 'types'] as const) {
    if (manifest[field] !== undefined) out[field] = manifest[field]
  }
  if (manifest.exports !== undefined) out.exports = publishedExports(manifest.exports)
  return out
}

/**
 * The manifest of a bundled workspace package: no scripts or dev dependencies, no `development` condition; its
 * own dependencies stay declared (npm finds them satisfied by the bundle and by the CLI package's top level), except
 * optional peers, which stay optional here too.
 */
export function bundledManifest (manifest: PackageManifest, optionalPeers: Readonly<Record<string, string>>): PackageManifest {
  const out = commonFields(manifest)
  if (manifest.engines !== undefined) out.engines = manifest.engines
  const dependencies: Record<string, string> = {}
  const peers: Record<string, string> = {}
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (Object.hasOwn(optionalPeers, name)) peers[name] = range
    else dependencies[name] = range
  }
  if (Object.keys(dependencies).length > 0) out.dependencies = dependencies
  return { ...out, ...optionalPeerFields(peers) }
}

/**
 * The manifest of the published CLI package: the workspace's own fields (bin, engines, files, publishConfig), every
 * bundled workspace as an exact dependency listed in `bundleDependencies`, and the merged third-party dependencies.
 */
export function cliManifest (cli: PackageManifest, bundled: readonly PackageManifest[], merged: MergedDependencies,
  extraFiles: readonly string[] = []): PackageManifest {
  const out = commonFields(cli)
  if (cli.bin !== undefined) out.bin = cli.bin
  out.files = [...(cli.files ?? []), ...extraFiles]
  if (cli.engines !== undefined) out.engines = cli.engines
  const workspaceDeps = Object.fromEntries(bundled.map((m) => [m.name, m.version]).sort(([a], [b]) => a.localeCompare(b)))
  out.dependencies = { ...workspaceDeps, ...merged.dependencies }
  Object.assign(out, optionalPeerFields(merged.optionalPeers))
  out.bundleDependencies = Object.keys(workspaceDeps)
  if (cli.publishConfig !== undefined) out.publishConfig = cli.publishConfig
  return out
}

const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g
const LINE_COMMENT = /^\s*\/\/.*$/gm
// `from` right after a quote is the word inside a string (`['from', 'to']`), not an import clause.
const SPECIFIER = /(?:(?<!['"])\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)(['"])([^'"\n]+)\1/g

/** The package name of a bare specifier (`@scope/pkg/sub` → `@scope/pkg`, `pkg/sub` → `pkg`). */
export function packageNameOf (specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/**
 * Package names a compiled ES module imports (static, dynamic, and `require`/`require.resolve` through
 * createRequire), ignoring comments, relative paths, URLs and Node built-ins.
 */
export function bareImports (source: string): string[] {
  const code = source.replace(BLOCK_COMMENT, '').replace(LINE_COMMENT, '')
  const names = new Set<string>()
  for (const match of code.matchAll(SPECIFIER)) {
    const specifier = match[2]
    if (specifier.startsWith('.') || specifier.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) continue
    if (isBuiltin(specifier)) continue
    names.add(packageNameOf(specifier))
  }
  return [...names].sort()
}

/**
 * Throws InvalidWorkspaceError when a shipped file imports a package that the published package does not provide
 * (a bundled workspace, a dependency or an optional peer). `files` maps a path (for the message) to its source.
 */
export function checkImports (files: ReadonlyMap<string, string>, provided: ReadonlySet<string>): void {
  const missing: string[] = []
  for (const [path, source] of files) {
    for (const name of bareImports(source)) {
      if (!provided.has(name)) missing.push(`${path} imports ${name}`)
    }
  }
  if (missing.length > 0) {
    throw new InvalidWorkspaceError(`not declared by the published package (add it to the workspace's dependencies): ${missing.slice(0, 10).join('; ')}`)
  }
}
