// The published manifests of `npm run pack`: which workspaces get bundled, how third-party dependencies are merged,
// and the import check that stops a tarball which would fail after `npx`.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  InvalidWorkspaceError, bareImports, bundledManifest, checkImports, cliManifest, mergeThirdPartyDependencies, packageNameOf, publishedExports, workspaceClosure
} from '../pack/index.js'
import type { PackageManifest, WorkspacePackage } from '../pack/index.js'

const SCOPE = '@t/'

function ws (name: string, dependencies: Record<string, string> = {}): WorkspacePackage {
  return { dir: `packages/${name.slice(SCOPE.length)}`, manifest: { name, version: '1.2.3', dependencies } }
}

describe('workspaceClosure', () => {
  it('collects the workspaces the CLI needs directly and transitively, once each, and not the unrelated ones', () => {
    const all = [ws('@t/a', { '@t/c': '1.2.3', x: '^1' }), ws('@t/b'), ws('@t/c', { '@t/a': '1.2.3' }), ws('@t/unused')]
    const cli = ws('@t/cli', { '@t/a': '1.2.3', '@t/b': '1.2.3', lib: '^2' })
    const map = new Map([...all, cli].map((w) => [w.manifest.name, w]))
    assert.deepEqual(workspaceClosure(cli, map, SCOPE).map((w) => w.manifest.name), ['@t/a', '@t/b', '@t/c'])
  })

  it('names a scoped dependency that is not a workspace', () => {
    const cli = ws('@t/cli', { '@t/ghost': '1.2.3' })
    assert.throws(() => workspaceClosure(cli, new Map([[cli.manifest.name, cli]]), SCOPE), (err: Error) =>
      err instanceof InvalidWorkspaceError && err.message.includes('@t/ghost'))
  })
})

describe('mergeThirdPartyDependencies', () => {
  it('unites the ranges, drops the workspaces and moves optional peers aside', () => {
    const merged = mergeThirdPartyDependencies([
      { name: '@t/cli', version: '1.0.0', dependencies: { '@t/a': '1.0.0', zed: '^1.0.0', alpha: '~2.1.0' } },
      { name: '@t/a', version: '1.0.0', dependencies: { alpha: '~2.1.0', digits: '^1.1.0' } }
    ], SCOPE, { digits: 'big data' })
    assert.deepEqual(merged, { dependencies: { alpha: '~2.1.0', zed: '^1.0.0' }, optionalPeers: { digits: '^1.1.0' } })
    assert.deepEqual(Object.keys(merged.dependencies), ['alpha', 'zed'], 'sorted by name')
  })

  it('refuses two ranges of one package', () => {
    assert.throws(() => mergeThirdPartyDependencies([
      { name: '@t/cli', version: '1.0.0', dependencies: { libp: '^3.0.0' } },
      { name: '@t/a', version: '1.0.0', dependencies: { libp: '^3.1.0' } }
    ], SCOPE), (err: Error) => err instanceof InvalidWorkspaceError && err.message.includes('^3.0.0') && err.message.includes('^3.1.0'))
  })
})

describe('published manifests', () => {
  const exportsField = { '.': { types: './dist/src/index.d.ts', development: './src/index.ts', import: './dist/src/index.js' } }

  it('drops the development condition at any depth and keeps everything else', () => {
    assert.deepEqual(publishedExports(exportsField), { '.': { types: './dist/src/index.d.ts', import: './dist/src/index.js' } })
    assert.deepEqual(publishedExports({ '.': { node: { development: './a.ts', default: './a.js' } } }), { '.': { node: { default: './a.js' } } })
    assert.equal(publishedExports('./index.js'), './index.js')
  })

  it('a bundled package keeps its runtime fields and dependencies, without scripts or dev dependencies', () => {
    const manifest: PackageManifest = {
      name: '@t/a', version: '1.0.0', type: 'module', main: './dist/src/index.js', exports: exportsField, engines: { node: '>=22' },
      scripts: { build: 'asc' }, devDependencies: { asc: '1' }, dependencies: { '@t/b': '1.0.0', digits: '^1.1.0', alpha: '^2' }
    }
    const out = bundledManifest(manifest, { digits: 'big' })
    assert.equal(out.scripts, undefined)
    assert.equal(out.devDependencies, undefined)
    assert.deepEqual(out.dependencies, { '@t/b': '1.0.0', alpha: '^2' })
    assert.deepEqual(out.peerDependencies, { digits: '^1.1.0' })
    assert.deepEqual(out.peerDependenciesMeta, { digits: { optional: true } })
    assert.deepEqual(out.exports, publishedExports(exportsField))
  })

  it('the CLI manifest bundles every workspace at its exact version and declares the third-party ones', () => {
    const cli: PackageManifest = {
      name: '@t/cli', version: '1.0.0', bin: { tool: './dist/src/bin.js' }, files: ['dist/src'], engines: { node: '>=22' },
      publishConfig: { access: 'public' }, scripts: { x: 'y' }, dependencies: { '@t/b': '1.0.0' }
    }
    const out = cliManifest(cli, [{ name: '@t/b', version: '1.0.0' }, { name: '@t/a', version: '0.9.0' }],
      { dependencies: { alpha: '^2' }, optionalPeers: {} }, ['extra'])
    assert.deepEqual(out.bin, cli.bin)
    assert.deepEqual(out.engines, { node: '>=22' })
    assert.deepEqual(out.files, ['dist/src', 'extra'])
    assert.deepEqual(out.dependencies, { '@t/a': '0.9.0', '@t/b': '1.0.0', alpha: '^2' })
    assert.deepEqual(out.bundleDependencies, ['@t/a', '@t/b'])
    assert.deepEqual(out.publishConfig, { access: 'public' })
    assert.equal(out.scripts, undefined)
    assert.equal(out.peerDependencies, undefined, 'no empty peer fields')
  })
})

describe('import check', () => {
  it('finds static, dynamic, side-effect and createRequire imports; skips relative paths, URLs, built-ins and comments', () => {
    const source = [
      "import { a } from '@scope/pkg/sub/path.js'",
      "export * from \"plain\"",
      "import 'side-effect'",
      "const m = await import('dyn/deep')",
      "const p = require.resolve('resolved/package.json')",
      "import { x } from './local.js'",
      "import fs from 'node:fs'",
      "import path from 'path'",
      "const u = new URL('../kernel.wasm', import.meta.url)",
      '/** @example',
      " * import { y } from 'only-in-a-doc-comment'",
      ' */',
      "// import z from 'only-in-a-line-comment'",
      "const columns = ['t (s)', 'decision', 'from', 'to']"
    ].join('\n')
    assert.deepEqual(bareImports(source), ['@scope/pkg', 'dyn', 'plain', 'resolved', 'side-effect'])
  })

  it('package names of specifiers', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      fc.array(fc.stringMatching(/^[a-z0-9.-]{1,8}$/), { maxLength: 3 }), (scope, name, rest) => {
        assert.equal(packageNameOf([`@${scope}`, name, ...rest].join('/')), `@${scope}/${name}`)
        assert.equal(packageNameOf([name, ...rest].join('/')), name)
      }))
  })

  it('names the file and the package that the published package would not provide', () => {
    const files = new Map([['dist/src/a.js', "import 'ok'"], ['dist/src/b.js', "import { q } from 'missing-one'"]])
    assert.doesNotThrow(() => { checkImports(files, new Set(['ok', 'missing-one'])) })
    assert.throws(() => { checkImports(files, new Set(['ok'])) }, (err: Error) =>
      err instanceof InvalidWorkspaceError && err.message.includes('dist/src/b.js imports missing-one') && !err.message.includes('a.js'))
  })
})
