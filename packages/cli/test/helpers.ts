import { createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { withTempDir as withTempDirNamed } from '@tessera/testing'

async function listenOnFreePort (): Promise<{ server: Server, port: number }> {
  const server = createServer()
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
  return { server, port: (server.address() as AddressInfo).port }
}

/** Runs `fn` with a port of 127.0.0.1 that another server holds for as long as `fn` runs. */
export async function withPortInUse<T> (fn: (port: number) => Promise<T>): Promise<T> {
  const { server, port } = await listenOnFreePort()
  try {
    return await fn(port)
  } finally {
    await new Promise((resolve) => { server.close(resolve) })
  }
}

/** A TCP port of 127.0.0.1 nothing listens on (bound, then released). */
export async function closedPort (): Promise<number> {
  const { server, port } = await listenOnFreePort()
  await new Promise((resolve) => { server.close(resolve) })
  return port
}

/** Runs `fn` with a fresh temporary directory, removed afterwards whatever happens. */
export async function withTempDir<T> (fn: (dir: string) => Promise<T>): Promise<T> {
  return await withTempDirNamed('tessera-cli-test-', fn)
}
