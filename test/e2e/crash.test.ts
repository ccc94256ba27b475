/**
 * kill -9 of a node while it commits a stream of txs: after restart every tx the node reported
 * committed is there with its receipt, the chain verifies end to end, and it keeps committing.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {createSigner, readKeystoreFile} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import type {TxResult} from '../../src/sdk/client.js'
import {networkClient, ok, Sandbox} from './harness.js'

describe('e2e: kill -9 during commits loses nothing', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  after(() => box.cleanup())

  it('restarts consistent after SIGKILL mid-stream', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--chain-id', 'wi-crash', '--base-port', '0', '--template', 'dev'])
    const home = box.path('net', 'node0')
    await ok(['node', 'start', '--home', home, '--detach'])
    const client = networkClient(init.nodes[0].rpc, box.path('net'))
    const signer = createSigner(await readKeystoreFile(box.path('net', 'admin', 'user.json')))
    const committed: TxResult[] = []
    let killed = false
    const stream = (async () => {
      for (let i = 0; !killed && i < 10_000; i++) {
        const tx = createTx({chainId: 'wi-crash', contract: 'evidence', method: 'put', args: {key: `k${i}`, hash: 'd'.repeat(64)}, expiry: 900}, signer)
        try {
          const result = await client.sendTx(tx, 10_000)
          if (result.status === 'ok') committed.push(result)
        } catch {
          return
        }
      }
    })()
    while (committed.length < 30) await new Promise((resolve) => setImmediate(resolve))
    const pid = Number.parseInt(readFileSync(box.path('net', 'node0', 'node.pid'), 'utf8'), 10)
    process.kill(pid, 'SIGKILL')
    killed = true
    await stream
    await ok(['node', 'start', '--home', home, '--detach'])
    for (const result of committed) {
      const got = await client.getTx(result.txHash)
      expect(got).to.include({txHash: result.txHash, status: 'ok', height: result.height})
    }
    const status = await ok(['node', 'status', '--home', home])
    expect(status.chains[0].height).to.be.at.least(committed.at(-1)!.height!)
    const next = await ok(['tx', 'send', '--home', home, '--key', box.path('net', 'admin', 'user.json'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'after-crash', hash: 'e'.repeat(64)})])
    expect(next.height).to.equal(status.chains[0].height + 1)
    await ok(['node', 'stop', '--home', home])
  })
})
