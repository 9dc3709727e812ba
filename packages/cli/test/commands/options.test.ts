import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from 'commander'
import { collectBootstrap, defaultDataDir, guessNetwork, integerIn, numberIn } from '../../src/commands/options.js'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'

describe('cli options', () => {
  it('integerIn accepts digits only, inside its range, and states the range otherwise', () => {
    const parse = integerIn({ min: 1, max: 4096 }, 'ms')
    assert.equal(parse('32'), 32)
    assert.equal(parse('1'), 1)
    assert.equal(parse('4096'), 4096)
    for (const bad of ['0', '4097', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999']) {
      assert.throws(() => parse(bad), (err: unknown) => err instanceof InvalidArgumentError && err.message.includes('[1, 4096] ms'), bad)
    }
  })

  it('numberIn accepts finite numbers inside its range', () => {
    const parse = numberIn({ min: 0, max: 1 })
    assert.equal(parse('0.04'), 0.04)
    assert.equal(parse('1e-3'), 0.001)
    for (const bad of ['-0.1', '1.5', 'NaN', 'Infinity', '', 'x']) {
      assert.throws(() => parse(bad), (err: unknown) => err instanceof InvalidArgumentError && err.message.includes('[0, 1]'), bad)
    }
  })

  it('collectBootstrap repeats and requires /p2p', () => {
    const one = collectBootstrap(`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`)
    const two = collectBootstrap(`/ip4/127.0.0.1/tcp/2/p2p/${PEER}`, one)
    assert.equal(two.length, 2)
    assert.throws(() => collectBootstrap('/ip4/127.0.0.1/tcp/1'), InvalidArgumentError)
    assert.throws(() => collectBootstrap('not-a-multiaddr'), InvalidArgumentError)
  })

  it('guessNetwork is local only when every bootstrap address is private', () => {
    assert.equal(guessNetwork([`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`]), 'local')
    assert.equal(guessNetwork([`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, `/ip4/8.8.8.8/tcp/1/p2p/${PEER}`]), 'public')
    assert.equal(guessNetwork([]), 'public')
  })

  it('defaultDataDir follows each platform convention', () => {
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, 'linux'), '/x/data/tessera')
    assert.match(defaultDataDir({}, 'linux'), /\.local\/share\/tessera$/)
    assert.match(defaultDataDir({}, 'darwin'), /Library\/Application Support\/tessera$/)
    assert.match(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\v\\AppData\\Local' }, 'win32'), /tessera$/)
  })
})
