/** Errors of `npm run pack`, each with a stable `code`. */
import { TesseraError } from '@tessera/errors'

/** Base class of the packing errors: the CLI prints their name and message alone (no stack). */
export class PackError extends TesseraError { static override readonly code: string = 'ERR_PACK' }

/** A compiled file or the WASM kernel is missing: the repository is not built. */
export class MissingBuildError extends PackError { static override readonly code = 'ERR_PACK_MISSING_BUILD' }

/**
 * The workspaces cannot be published as one package: the CLI package or its README is missing, a scoped
 * dependency is not a workspace, two workspaces ask for different ranges of one package, or a shipped file imports
 * a package the published manifest does not declare (it would fail after `npx`).
 */
export class InvalidWorkspaceError extends PackError { static override readonly code = 'ERR_PACK_INVALID_WORKSPACE' }

/** `npm pack` failed or printed something other than its JSON report. */
export class NpmPackError extends PackError { static override readonly code = 'ERR_PACK_NPM' }
