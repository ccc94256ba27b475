/** `node start --detach` on a terminal: a short summary (cli/node-output.ts), not the status document. */
import {expect} from 'chai'
import {resolve} from 'node:path'
import {renderNodeStarted} from '../../../src/cli/node-output.js'

describe('cli: node start --detach human output', () => {
  it('says name, pid, chain and height, RPC URL, P2P address and log file in a few short lines', () => {
    const status = {
      running: true,
      name: 'node0',
      nodeId: `04${'ab'.repeat(64)}`,
      pid: 4242,
      detached: true,
      chains: [{chainId: 'wi-dev', height: 7, headHash: 'ef'.repeat(32), consensus: 'pbft', role: 'leader', peers: 3, peerList: [{publicKey: 'x'}], commits: {blocks: 7}}],
    }
    const text = renderNodeStarted('net/node0', {name: 'node0', rpc: {host: '127.0.0.1', port: 26600}, p2p: {host: '127.0.0.1', port: 26601}}, status)
    const lines = text.split('\n')
    expect(lines).to.deep.equal([
      'node node0 started (pid 4242)',
      '  chain wi-dev (pbft, leader) at height 7',
      '  rpc   http://127.0.0.1:26600',
      '  p2p   127.0.0.1:26601',
      `  log   ${resolve('net/node0/node.log')}`,
    ])
    expect(text).not.to.include('ab'.repeat(64))
  })
})
