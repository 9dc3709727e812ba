import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from 'commander'
import { collectBootstrap, defaultDataDir, guessNetwork, parsePositiveInt } from '../../src/commands/options.js'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'

describe('cli options', () => {
  it('parsePositiveInt accepts digits only', () => {
    assert.equal(parsePositiveInt('32'), 32)
    for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3']) {
      assert.throws(() => parsePositiveInt(bad), InvalidArgumentError, bad)
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
