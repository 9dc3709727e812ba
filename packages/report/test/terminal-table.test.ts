import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidReportDataError, renderTerminalTable } from '../src/index.js'

describe('renderTerminalTable', () => {
  it('pads columns to their widest cell, numbers right and text left', () => {
    const text = renderTerminalTable({ columns: ['profile', 'n'], rows: [['pcm', 5], ['rram-4bit', 12]] }, { title: 'Title' })
    const lines = text.trimEnd().split('\n')
    assert.deepEqual(lines, [
      'Title',
      'profile     n',
      '---------  --',
      'pcm         5',
      'rram-4bit  12'
    ])
  })

  it('counts multi-byte characters as one column', () => {
    const lines = renderTerminalTable({ columns: ['a', 'b'], rows: [['±1', 'x'], ['12', 'y']] }).split('\n')
    assert.equal(lines[2].indexOf('x'), lines[3].indexOf('y'))
  })

  it('honours explicit alignment and empty cells', () => {
    const lines = renderTerminalTable({ columns: ['left', 'right'], rows: [[1, 'a'], [null, 'bbb']], align: ['left', 'right'] }).split('\n')
    // widths 4 ('left') and 5 ('right'), gap 2
    assert.equal(lines[2], '1' + ' '.repeat(3) + ' '.repeat(2) + ' '.repeat(4) + 'a')
    assert.equal(lines[3], ' '.repeat(4) + ' '.repeat(2) + '  bbb')
  })

  it('rejects ragged rows', () => {
    assert.throws(() => renderTerminalTable({ columns: ['a', 'b'], rows: [[1, 2, 3]] }), InvalidReportDataError)
  })
})
