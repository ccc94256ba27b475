/**
 * A peer's undecodable block payload (a garbage sync answer, a forged `committed` message) is
 * refused, never a fault of the chain: found by the whole-node simulator (pbft-byzantine seeds
 * 246 and 260), where one garbage sync answer halted an honest chain until its restart.
 */
import {expect} from 'chai'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {createTx} from '../../../../src/core/types/tx.js'
import {accountOf, clusterGenesis, LoopbackCluster} from './cluster-fixture.js'

describe('core/chain: undecodable block payloads from peers', function () {
  this.timeout(30_000)
  const nodeKeys = Array.from({length: 4}, () => generateKeyPair())
  const user = createSigner(generateKeyPair())
  let cluster: LoopbackCluster

  beforeEach(async () => {
    cluster = new LoopbackCluster(clusterGenesis('wi-garbage', nodeKeys, [accountOf('user', 'user', user)]), nodeKeys)
    await cluster.openAll()
  })
  afterEach(() => cluster.close())

  it('refuses a synced block whose payload does not decode, and keeps running', async () => {
    const tx = createTx({chainId: 'wi-garbage', contract: 'evidence', method: 'put', args: {key: 'k', hash: 'a'.repeat(64)}, expiry: 50}, user)
    cluster.online = new Set([0, 1, 2])
    await cluster.chains[0]!.submitTx(tx.bytes)
    await cluster.run(300, () => cluster.committedEverywhere(tx.hashHex))
    const [block] = await cluster.chains[0]!.committedBlocks(1, 1)
    const laggard = cluster.chains[3]!
    for (const payload of [new Uint8Array([0xa1, 0xa0, 0x01]), Uint8Array.from(block!.payload, (byte, index) => (index === 40 ? byte ^ 0xff : byte))]) {
      expect(await laggard.applySynced({...block!, payload})).to.equal(false)
      expect(laggard.status().state).to.equal('running')
    }
    // The real block still applies: nothing was halted or poisoned.
    expect(await laggard.applySynced(block!)).to.equal(true)
    expect(laggard.head().height).to.equal(1)
  })
})
