/** `npm run pack`: the tarball a volunteer runs with `npx` (see pack.ts). */
export { packTessera } from './pack.js'
export type { PackInit, PackResult } from './pack.js'
export {
  bareImports, bundledManifest, checkImports, cliManifest, mergeThirdPartyDependencies, packageNameOf, publishedExports,
  workspaceClosure
} from './manifest.js'
export type { MergedDependencies, PackageManifest, WorkspacePackage } from './manifest.js'
export * from './constants.js'
export * from './errors.js'
