/** Errors of `npm run pack`: one class per failure, each with a `name` and a stable `code`. */

export class PackError extends Error {
  readonly code: string = 'ERR_PACK'
  constructor (message = 'packing failed') {
    super(message)
    this.name = 'PackError'
  }
}

/** A compiled file or the WASM kernel is missing: the repository is not built. */
export class MissingBuildError extends PackError {
  override readonly code = 'ERR_PACK_MISSING_BUILD'
  constructor (message = 'a compiled file is missing: run `npm run build` first') {
    super(message)
    this.name = 'MissingBuildError'
  }
}

/** Two workspace packages ask for different ranges of the same third-party package. */
export class DependencyConflictError extends PackError {
  override readonly code = 'ERR_PACK_DEPENDENCY_CONFLICT'
  constructor (message = 'two workspace packages declare different ranges of one dependency') {
    super(message)
    this.name = 'DependencyConflictError'
  }
}

/** A shipped file imports a package that the published manifest does not declare (it would fail after `npx`). */
export class UndeclaredImportError extends PackError {
  override readonly code = 'ERR_PACK_UNDECLARED_IMPORT'
  constructor (message = 'a shipped file imports an undeclared package') {
    super(message)
    this.name = 'UndeclaredImportError'
  }
}

/** A workspace package that the CLI depends on is not among the root package.json's workspaces. */
export class UnknownWorkspaceError extends PackError {
  override readonly code = 'ERR_PACK_UNKNOWN_WORKSPACE'
  constructor (message = 'a scoped dependency is not a workspace of this repository') {
    super(message)
    this.name = 'UnknownWorkspaceError'
  }
}

/** `npm pack` failed or printed something other than its JSON report. */
export class NpmPackError extends PackError {
  override readonly code = 'ERR_PACK_NPM'
  constructor (message = '`npm pack` failed') {
    super(message)
    this.name = 'NpmPackError'
  }
}
