import {expect} from 'chai'
import {STALL_MS} from '../../../../src/core/node/block-sync.js'
import {HeaderFollower} from '../../../../src/core/node/header-follower.js'
import {encodeStatusAnswer} from '../../../../src/core/node/sync-protocol.js'
import type {ChainNetwork} from '../../../../src/core/node/network.js'
import type {HeaderChain} from '../../../../src/core/node/header-chain.js'
import {nullLogger} from '../../../../src/core/log.js'

describe('core/node/header-follower: sync state of a header-only chain', () => {
  it('is catching-up while behind a peer, stalled (with the reason) when nothing moves, following once level', async () => {
    let now = 1_000_000
    let head = 5
    let refuse = true
    const warnings: string[] = []
    const logger = {...nullLogger, warn: (message: string) => void warnings.push(message), child: () => logger}
    const network = {
      network: {onPeerConnected: () => () => undefined, connectedPeers: () => ['peer-a']},
      request: async (_peer: string, query: {type: string}) => {
        if (query.type === 'status') return encodeStatusAnswer({height: 20, hash: new Uint8Array(32)} as never)
        throw new Error('headers unavailable')
      },
    } as unknown as ChainNetwork
    const chain = {head: () => ({height: head}), apply: async () => ({applied: 0, problem: refuse ? 'bad link' : undefined})} as unknown as HeaderChain
    const follower = new HeaderFollower(network, chain, logger as never, () => now)
    try {
      await follower.sync()
      expect(follower.syncState()).to.include({state: 'catching-up', height: 5, target: 20, gap: 15, failures: 1})
      expect(follower.syncState().lastError).to.match(/headers unavailable/)
      now += STALL_MS
      await follower.sync()
      expect(follower.syncState()).to.include({state: 'stalled', gap: 15})
      expect(warnings).to.include('header sync stalled')
      head = 20
      refuse = false
      expect(follower.syncState()).to.include({state: 'following', gap: 0})
    } finally {
      follower.close()
    }
  })
})
