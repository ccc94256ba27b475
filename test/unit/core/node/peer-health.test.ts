import {expect} from 'chai'
import {PeerHealth, type PeerObservation} from '../../../../src/core/node/peer-health.js'

const PEER = 'ab'.repeat(65)
const OPTIONS = {downAfterMs: 30_000, lagBlocksMax: 10, lagAfterMs: 20_000, repeatAfterMs: 60_000}

function setup() {
  let now = 1_000_000
  const health = new PeerHealth({...OPTIONS, now: () => now})
  const advance = (ms: number) => (now += ms)
  const observe = (connected: boolean, extra: Partial<PeerObservation> = {}): PeerObservation[] => [{publicKey: PEER, connected, name: 'node1', ...extra}]
  return {health, advance, observe}
}

describe('core/node/peer-health', () => {
  it('warns once a peer has been down for downAfterMs, repeats no more than every repeatAfterMs, and logs its recovery', () => {
    const {health, advance, observe} = setup()
    expect(health.check(5, observe(false, {lastError: 'ECONNREFUSED'}))).to.deep.equal([])
    advance(29_999)
    expect(health.check(5, observe(false))).to.deep.equal([])
    advance(1)
    const [warning, ...rest] = health.check(5, observe(false, {lastError: 'ECONNREFUSED'}))
    expect(rest).to.deep.equal([])
    expect(warning).to.deep.equal({level: 'warn', message: 'peer down', context: {peer: PEER.slice(0, 16), name: 'node1', downForMs: 30_000, lastError: 'ECONNREFUSED'}})
    expect(health.state(PEER)).to.deep.equal({condition: 'down'})
    // Checked every 2 s for the next minute: silent until the repeat interval has passed.
    let warnings = 0
    for (let step = 0; step < 30; step++) {
      advance(2_000)
      warnings += health.check(5, observe(false)).length
    }
    expect(warnings).to.equal(1)
    advance(5_000)
    expect(health.check(5, observe(true))).to.deep.equal([{level: 'info', message: 'peer recovered', context: {peer: PEER.slice(0, 16), name: 'node1', was: 'down', wasForMs: 95_000}}])
    expect(health.check(5, observe(true))).to.deep.equal([])
    expect(health.state(PEER)).to.deep.equal({condition: 'ok'})
  })

  it('says nothing about a short disconnection', () => {
    const {health, advance, observe} = setup()
    health.check(5, observe(true))
    advance(1_000)
    expect(health.check(5, observe(false))).to.deep.equal([])
    advance(10_000)
    expect(health.check(5, observe(true))).to.deep.equal([])
  })

  it('warns about a peer more than lagBlocksMax behind for lagAfterMs, and says when it caught up', () => {
    const {health, advance, observe} = setup()
    health.check(100, observe(true))
    health.recordHeight(PEER, 90)
    expect(health.check(100, observe(true)), 'exactly lagBlocksMax behind is fine').to.deep.equal([])
    health.recordHeight(PEER, 89)
    expect(health.check(100, observe(true))).to.deep.equal([])
    advance(19_000)
    health.recordHeight(PEER, 89)
    expect(health.check(100, observe(true))).to.deep.equal([])
    advance(1_000)
    expect(health.check(101, observe(true))).to.deep.equal([
      {level: 'warn', message: 'peer lagging', context: {peer: PEER.slice(0, 16), name: 'node1', peerHeight: 89, ourHeight: 101, behindBlocks: 12, laggingForMs: 20_000}},
    ])
    expect(health.state(PEER)).to.deep.equal({condition: 'lagging', height: 89})
    advance(2_000)
    health.recordHeight(PEER, 101)
    expect(health.check(101, observe(true))[0]).to.deep.include({level: 'info', message: 'peer recovered'})
  })

  it('keeps its lag verdict while the peer\'s height is stale, instead of flipping on old news', () => {
    const {health, advance, observe} = setup()
    health.check(50, observe(true))
    health.recordHeight(PEER, 10)
    health.check(50, observe(true))
    advance(20_000)
    expect(health.check(50, observe(true))).to.have.length(1)
    advance(30_000)
    // No status answer for 30 s (longer than lagAfterMs): still lagging, no recovery line.
    expect(health.check(50, observe(true))).to.deep.equal([])
    expect(health.state(PEER)?.condition).to.equal('lagging')
    // A stale height never starts a lag either.
    const fresh = setup()
    fresh.health.check(50, fresh.observe(true))
    fresh.health.recordHeight(PEER, 10)
    fresh.advance(25_000)
    expect(fresh.health.check(50, fresh.observe(true))).to.deep.equal([])
    expect(fresh.health.state(PEER)?.condition).to.equal('ok')
  })

  it('reports a lagging peer that then goes down as down, and recovers once', () => {
    const {health, advance, observe} = setup()
    health.check(50, observe(true))
    health.recordHeight(PEER, 10)
    health.check(50, observe(true))
    advance(20_000)
    health.recordHeight(PEER, 10)
    expect(health.check(50, observe(true))[0]?.message).to.equal('peer lagging')
    advance(1_000)
    expect(health.check(50, observe(false))).to.deep.equal([])
    advance(30_000)
    expect(health.check(50, observe(false))[0]?.message).to.equal('peer down')
    advance(1_000)
    health.recordHeight(PEER, 50)
    const events = health.check(50, observe(true))
    expect(events).to.have.length(1)
    expect(events[0]).to.deep.include({level: 'info', message: 'peer recovered'})
    expect(events[0]!.context).to.include({was: 'down'})
  })

  it('forgets peers that are no longer observed', () => {
    const {health, observe} = setup()
    health.check(1, observe(true))
    expect(health.state(PEER)).to.not.equal(undefined)
    health.check(1, [])
    expect(health.state(PEER)).to.equal(undefined)
    health.recordHeight(PEER, 5)
    expect(health.state(PEER)).to.equal(undefined)
  })
})
