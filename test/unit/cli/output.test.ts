/**
 * The shared human renderer (cli/output.ts) never prints raw JSON of nested objects: one level
 * becomes indented lines, deeper values and every table cell a bounded one-line summary; scalars
 * (hashes, keys) stay whole.
 */
import {expect} from 'chai'
import {renderTable, renderValue, scalar} from '../../../src/cli/output.js'
import {CLI_SUMMARY_CHARS_MAX} from '../../../src/core/limits.js'

const KEY = `04${'ab'.repeat(64)}`

/** Shaped like `node.status` (what `node start --detach` used to print as one huge table). */
const status = {
  running: true,
  name: 'node0',
  nodeId: KEY,
  pid: 4242,
  chains: [
    {
      chainId: 'wi-dev',
      height: 12,
      mempool: {txs: 0, bytes: 0},
      peerList: [1, 2, 3].map((index) => ({publicKey: KEY, name: `node${index}`, address: `127.0.0.1:2660${index}`, connected: true})),
      contracts: [],
      commits: {blocks: 12, txs: 30, latencyMs: {samples: 30, p50: 11, p99: 40}},
      validators: ['node0', 'node1'],
    },
  ],
  certificate: {height: 12, signatures: [{signer: KEY, signature: 'cd'.repeat(72)}]},
}

const widest = (text: string): number => Math.max(...text.split('\n').map((line) => line.length))

describe('cli: human renderer', () => {
  it('puts no raw JSON of nested objects into table cells, and bounds their width', () => {
    const table = renderTable(status.chains)
    expect(table).not.to.match(/[[{]"/)
    expect(table).to.include('3 items') // peerList
    expect(table).to.include('txs=0, bytes=0') // mempool, flattened one level
    expect(table).to.include('latencyMs={3 keys}') // commits: deeper objects only counted
    expect(table).to.include('node0, node1') // a short list of scalars
    expect(widest(table)).to.be.below(8 * CLI_SUMMARY_CHARS_MAX)
  })

  it('renders a nested document as key/value lines without JSON, keeping scalars whole', () => {
    const text = renderValue(status)
    expect(text).not.to.match(/[[{]"/)
    expect(text).to.match(new RegExp(`^nodeId +${KEY}$`, 'm'))
    expect(text).to.match(/^certificate:\n {2}height +12\n {2}signatures +1 item$/m)
    for (const line of text.split('\n')) expect(line.length, line).to.be.at.most(8 * CLI_SUMMARY_CHARS_MAX)
  })

  it('cuts a long summary at the bound with an ellipsis', () => {
    const long = Object.fromEntries(Array.from({length: 20}, (_, index) => [`field${index}`, index]))
    const line = scalar(long)
    expect(line).to.have.length(CLI_SUMMARY_CHARS_MAX)
    expect(line.endsWith('…')).to.equal(true)
    expect(line.startsWith('field0=0, field1=1')).to.equal(true)
    expect(scalar(Array.from({length: 40}, (_, index) => `value-${index}`))).to.equal('40 items')
    expect(scalar({})).to.equal('-')
    expect(scalar([])).to.equal('-')
    expect(scalar(KEY)).to.equal(KEY)
  })
})
