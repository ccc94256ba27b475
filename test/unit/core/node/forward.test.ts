/**
 * Forwarding of client txs to peers is bounded (limits.ts "Queues"): however many txs arrive at
 * once, a batch is sent as soon as it holds FORWARD_BATCH_TXS_MAX txs or FORWARD_BATCH_BYTES_MAX
 * bytes, so the node never holds more than one batch, every batch is one a peer accepts, and no
 * tx is lost or reordered.
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {parseGenesis} from '../../../../src/core/chain/genesis.js'
import {generateKeyPair} from '../../../../src/core/crypto/index.js'
import {FORWARD_BATCH_BYTES_MAX, FORWARD_BATCH_TXS_MAX, TX_BYTES_MAX} from '../../../../src/core/limits.js'
import {nullLogger} from '../../../../src/core/log.js'
import {CHANNELS} from '../../../../src/core/net/index.js'
import {ChainNetwork, type PeerNetwork, type Timers} from '../../../../src/core/node/network.js'
import {decodeTxBatch} from '../../../../src/core/node/sync-protocol.js'

/** Timers that fire only when the test says so. */
class ManualTimers implements Timers {
  private readonly pending = new Map<number, () => void>()
  private next = 1
  now = () => 0
  setTimeout = (callback: () => void) => (this.pending.set(this.next, callback), this.next++)
  clearTimeout = (handle: unknown) => void this.pending.delete(handle as number)
  setInterval = () => 0
  clearInterval = () => undefined
  get size(): number {
    return this.pending.size
  }
  fireAll(): void {
    for (const [handle, callback] of [...this.pending]) {
      this.pending.delete(handle)
      callback()
    }
  }
}

/** A network with no peers that records what the chain broadcasts. */
function recordingNetwork(): PeerNetwork & {broadcasts: Array<{channel: string; body: Uint8Array}>} {
  const broadcasts: Array<{channel: string; body: Uint8Array}> = []
  return {
    broadcasts,
    publicKeyHex: toHex(generateKeyPair().publicKey),
    send: () => true,
    broadcast: (channel, body) => (broadcasts.push({channel, body}), 0),
    onMessage: () => () => undefined,
    onPeerConnected: () => () => undefined,
    onPeerDisconnected: () => () => undefined,
    connectedPeers: () => [],
    isConnected: () => false,
    peers: () => [],
    addPeer: () => undefined,
    removePeer: () => undefined,
    refreshAllowed: () => undefined,
    close: async () => undefined,
  }
}

describe('core/node/network: tx forwarding (bounded)', () => {
  const genesis = parseGenesis({
    version: 1,
    chainId: 'wi-fwd',
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: [{name: 'node0', publicKey: toHex(generateKeyPair().publicKey)}],
    accounts: [],
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  })

  it('a flood of client txs leaves in batches within the bounds, all of them, in order', async () => {
    const timers = new ManualTimers()
    const network = recordingNetwork()
    const chainNetwork = new ChainNetwork({network, genesis, configuredPeers: [], allowed: new Set(), logger: nullLogger, timers})
    const forward = chainNetwork.chainHooks().onTxAdmitted
    // Many small txs (the count bound) and some of the largest (the byte bound), interleaved.
    const txs = Array.from({length: 3 * FORWARD_BATCH_TXS_MAX + 40}, (_, index) => {
      const tx = new Uint8Array(index % 50 === 0 ? TX_BYTES_MAX : 100)
      new DataView(tx.buffer).setUint32(0, index)
      return tx
    })
    for (const bytes of txs) forward({bytes})
    // Full batches went at once; only the last partial one waits for its timer.
    expect(timers.size).to.equal(1)
    timers.fireAll()
    const batches = network.broadcasts.map(({channel, body}) => {
      expect(channel).to.equal(CHANNELS.tx)
      // Each batch is one a peer accepts: within its tx count and one frame.
      expect(body.length).to.be.at.most(FORWARD_BATCH_BYTES_MAX + TX_BYTES_MAX + 64 * 1024)
      const batch = decodeTxBatch(body)
      expect(batch.length).to.be.at.most(FORWARD_BATCH_TXS_MAX)
      return batch
    })
    expect(batches.length).to.be.greaterThan(3)
    const forwarded = batches.flat()
    expect(forwarded.map((tx) => new DataView(tx.buffer, tx.byteOffset).getUint32(0))).to.deep.equal(txs.map((_, index) => index))
    // Still working: one more tx leaves on its timer.
    forward({bytes: new Uint8Array(10)})
    timers.fireAll()
    expect(decodeTxBatch(network.broadcasts.at(-1)!.body)).to.have.length(1)
    await chainNetwork.close()
  })

})
