import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createProgram } from '../src/cli.js'
import { CONFIG_FILE_NAME, envVarOf, withSettings } from '../src/config.js'
import { InvalidCliOptionError } from '../src/errors.js'
import { withTempDir } from './helpers.js'

const BOOT_A = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'
const BOOT_B = '/ip4/127.0.0.1/tcp/4002/p2p/12D3KooWJiNTg9aXrg2d9g9acBy7tGtCQDAtv2Gv6iEgFG2RnZhd'

/** The options `tessera node` would run with for `args` under `env` (the command's action replaced by a capture). */
async function nodeOptions (args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const program = createProgram()
  let captured: Record<string, unknown> = {}
  const node = program.commands.find((c) => c.name() === 'node')
  node?.action((opts: Record<string, unknown>) => { captured = opts })
  await program.parseAsync(withSettings(program, ['node', 'tessera', 'node', ...args], env))
  return captured
}

describe('settings from the environment and the settings file', () => {
  it('names every flag\'s variable TESSERA_<FLAG>', () => {
    assert.equal(envVarOf({ long: '--max-cpu' }), 'TESSERA_MAX_CPU')
    assert.equal(envVarOf({ long: '--bootstrap' }), 'TESSERA_BOOTSTRAP')
  })

  it('flags win over the environment, which wins over the file in the data dir', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ tiles: 16, maxCpu: 3, bootstrap: [BOOT_A, BOOT_B], device: 'rram-4bit', relayServer: true, policy: 'random' }))
      const fromFile = await nodeOptions(['--data-dir', dir], {})
      assert.equal(fromFile.tiles, 16)
      assert.equal(fromFile.maxCpu, 3)
      assert.deepEqual(fromFile.bootstrap, [BOOT_A, BOOT_B], 'a default bootstrap list: `tessera node` alone joins the configured network')
      assert.equal(fromFile.device, 'rram-4bit')
      assert.equal(fromFile.relayServer, true)
      const envOverFile = await nodeOptions(['--data-dir', dir], { TESSERA_TILES: '8', TESSERA_BOOTSTRAP: `${BOOT_B}, ${BOOT_A}`, TESSERA_RELAY_SERVER: 'false' })
      assert.equal(envOverFile.tiles, 8)
      assert.deepEqual(envOverFile.bootstrap, [BOOT_B, BOOT_A])
      assert.equal(envOverFile.relayServer, false)
      assert.equal(envOverFile.maxCpu, 3, 'what the environment does not set still comes from the file')
      const flagsOverAll = await nodeOptions(['--data-dir', dir, '--tiles', '4', `--bootstrap=${BOOT_A}`], { TESSERA_TILES: '8' })
      assert.equal(flagsOverAll.tiles, 4)
      assert.deepEqual(flagsOverAll.bootstrap, [BOOT_A])
    })
  })

  it('finds the data dir, and --config, in the environment too', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ tiles: 12 }))
      await writeFile(join(dir, 'other.json'), JSON.stringify({ tiles: 6 }))
      assert.equal((await nodeOptions([], { TESSERA_DATA_DIR: dir })).tiles, 12)
      assert.equal((await nodeOptions(['--config', join(dir, 'other.json')], { TESSERA_DATA_DIR: dir })).tiles, 6)
      assert.equal((await nodeOptions([], { TESSERA_DATA_DIR: dir, TESSERA_CONFIG: join(dir, 'other.json') })).tiles, 6)
    })
  })

  it('refuses bad values naming where they came from, before anything runs', async () => {
    await withTempDir(async (dir) => {
      const program = createProgram()
      const refuses = (args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): void => {
        assert.throws(() => withSettings(program, ['node', 'tessera', 'node', ...args], env), (err: unknown) => err instanceof InvalidCliOptionError && pattern.test(err.message))
      }
      refuses([], { TESSERA_MAX_CPU: 'two' }, /^TESSERA_MAX_CPU \(--max-cpu\): expected an integer in \[1, 256\], got "two"$/)
      refuses([], { TESSERA_DEVICE: 'tpu' }, /^TESSERA_DEVICE \(--device\): Allowed choices are .* \(got "tpu"\)$/)
      refuses([], { TESSERA_RELAY_SERVER: 'maybe' }, /^TESSERA_RELAY_SERVER: expected true or false/)
      refuses([], { TESSERA_BOOTSTRAP: '/ip4/127.0.0.1/tcp/1' }, /TESSERA_BOOTSTRAP \(--bootstrap\): a bootstrap address must end in \/p2p/)
      refuses(['--config', join(dir, 'missing.json')], {}, /does not exist/)
      const bad = async (content: string, pattern: RegExp): Promise<void> => {
        await writeFile(join(dir, CONFIG_FILE_NAME), content)
        refuses(['--data-dir', dir], {}, pattern)
      }
      await bad('{"tiles": 4,', /is not valid JSON/)
      await bad('[1]', /must hold a JSON object/)
      await bad('{"tile": 4}', /unknown setting "tile"/)
      await bad('{"tiles": -4}', /"tiles" \(--tiles\): expected an integer in \[1, \d+\], got "-4"$/)
      await bad('{"tiles": [4, 8]}', /"tiles": expected one value, got a list/)
      await bad('{"relayServer": "yes"}', /"relayServer": expected true or false/)
    })
  })
})
