/**
 * Loading kernel.wasm: the built module is found next to the compiled code, checked (WebAssembly SIMD) and
 * compiled once per process.
 */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { KernelUnavailableError } from './errors.js'

/** Where the built module may be: next to the compiled JS (dist/src → dist), or from src/ under `development`. */
const KERNEL_URLS = [new URL('../kernel.wasm', import.meta.url), new URL('../dist/kernel.wasm', import.meta.url)]

const BUILD_HINT = 'run `npm run build:wasm` (asc assembly/kernel.ts) to build packages/crossbar/dist/kernel.wasm'

let cachedModule: WebAssembly.Module | undefined
let pendingModule: Promise<WebAssembly.Module> | undefined

function unavailable (bytes: Uint8Array<ArrayBuffer>): KernelUnavailableError | undefined {
  if (WebAssembly.validate(bytes)) return undefined
  return new KernelUnavailableError('kernel.wasm does not validate: this runtime lacks WebAssembly SIMD (or the file is damaged)')
}

function isMissingFile (err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
}

function readKernelBytesSync (): Uint8Array<ArrayBuffer> {
  for (const url of KERNEL_URLS) {
    try {
      return new Uint8Array(readFileSync(url))
    } catch (err) {
      if (!isMissingFile(err)) throw err
    }
  }
  throw new KernelUnavailableError(`kernel.wasm not found: ${BUILD_HINT}`)
}

async function readKernelBytes (): Promise<Uint8Array<ArrayBuffer>> {
  for (const url of KERNEL_URLS) {
    try {
      return new Uint8Array(await readFile(url))
    } catch (err) {
      if (!isMissingFile(err)) throw err
    }
  }
  throw new KernelUnavailableError(`kernel.wasm not found: ${BUILD_HINT}`)
}

export function compileModuleSync (): WebAssembly.Module {
  if (cachedModule != null) return cachedModule
  const bytes = readKernelBytesSync()
  const error = unavailable(bytes)
  if (error != null) throw error
  cachedModule = new WebAssembly.Module(bytes)
  return cachedModule
}

export async function compileModule (): Promise<WebAssembly.Module> {
  if (cachedModule != null) return cachedModule
  pendingModule ??= (async () => {
    const bytes = await readKernelBytes()
    const error = unavailable(bytes)
    if (error != null) throw error
    cachedModule ??= await WebAssembly.compile(bytes)
    return cachedModule
  })()
  try {
    return await pendingModule
  } finally {
    // A failed attempt (say, the module was not built yet) must not be remembered forever.
    pendingModule = undefined
  }
}

/**
 * Whether this runtime can run the kernel: true once the module compiled, else whether kernel.wasm validates.
 * @throws KernelUnavailableError when kernel.wasm is not built
 */
export async function kernelModuleRuns (): Promise<boolean> {
  return cachedModule != null || WebAssembly.validate(await readKernelBytes())
}
