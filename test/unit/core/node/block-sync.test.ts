/**
 * BlockSync against fake peers: byte-bounded answers are continued, requests are spread over
 * the peers and kept several in flight, a peer whose block is refused cools down while others
 * serve, and a node that cannot follow says so (stalled, a warning with the reason, failures).
 */
import {expect} from 'chai'
import type {CommittedBlock} from '../../../../src/core/consensus/engine.js'
import type {Logger} from '../../../../src/core/log.js'
import {BlockSync, STALL_MS} from '../../../../src/core/node/block-sync.js'
import {encodeBlocksAnswer, encodeStatusAnswer, type SyncQuery} from '../../../../src/core/node/sync-protocol.js'

/** A block the fake chain refuses (as a chain refuses a bad certificate). */
const CORRUPT_BYTES = 99
const certificate = {kind: 'pbft' as const, height: 0, blockHash: new Uint8Array(32), round: 0, signatures: []}

function block(height: number, bytes = 100): CommittedBlock {
  return {height, payload: new Uint8Array(bytes).fill(height % 251), certificate: {...certificate, height}}
}

class FakeChain {
  height = 0
  refuse = new Set<string>()
  applied: {height: number; fill: number}[] = []
  head() {
    return {height: this.height}
  }
  async applySynced(candidate: CommittedBlock): Promise<boolean> {
    await Promise.resolve()
    if (candidate.height !== this.height + 1 || candidate.payload.length === CORRUPT_BYTES) return false
    this.height = candidate.height
    this.applied.push({height: candidate.height, fill: candidate.payload[0]!})
    return true
  }
}

interface FakePeer {
  height: number
  /** Blocks per answer before the "byte bound" cuts it. */
  answerMax: number
  /** Serve a corrupt block at this height. */
  corruptAt?: number
  down?: boolean
  requests: SyncQuery[]
  inFlight: number
  inFlightPeak: number
}

function logger(lines: {level: string; message: string; context?: unknown}[]): Logger {
  const log = (level: string) => (message: string, context?: unknown) => lines.push({level, message, context})
  const self: Logger = {debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => self} as unknown as Logger
  return self
}

function setup(peers: Record<string, Partial<FakePeer>>, options: {blocksPerRequest?: number; inFlightMax?: number} = {}) {
  const chain = new FakeChain()
  let now = 1_000_000
  const lines: {level: string; message: string; context?: unknown}[] = []
  const fakes = new Map<string, FakePeer>(
    Object.entries(peers).map(([name, peer]) => [name, {height: 0, answerMax: 64, requests: [], inFlight: 0, inFlightPeak: 0, ...peer}]),
  )
  const sync = new BlockSync({
    chain,
    peers: () => [...fakes.entries()].filter(([, peer]) => peer.down !== true).map(([name]) => name),
    now: () => now,
    logger: logger(lines),
    ...options,
    request: async (name, query) => {
      const peer = fakes.get(name)!
      peer.requests.push(query)
      peer.inFlight++
      peer.inFlightPeak = Math.max(peer.inFlightPeak, peer.inFlight)
      try {
        await new Promise((resolve) => setImmediate(resolve))
        if (peer.down === true) throw new Error('peer is down')
        if (query.type === 'status') return encodeStatusAnswer({height: peer.height, hash: new Uint8Array(32)})
        if (query.type !== 'blocks') throw new Error('unexpected query')
        const blocks: CommittedBlock[] = []
        for (let height = query.from; height <= Math.min(peer.height, query.from + Math.min(query.count, peer.answerMax) - 1); height++) {
          blocks.push(height === peer.corruptAt ? {...block(height), payload: new Uint8Array(CORRUPT_BYTES)} : block(height))
        }
        return encodeBlocksAnswer(blocks)
      } finally {
        peer.inFlight--
      }
    },
  })
  return {chain, sync, fakes, lines, advance: (ms: number) => (now += ms)}
}

describe('core/node/block-sync: catching up over several peers', () => {
  it('continues byte-bounded answers until the target, with several requests in flight over the peers', async () => {
    const {chain, sync, fakes} = setup({a: {height: 500, answerMax: 7}, b: {height: 500, answerMax: 7}, c: {height: 480, answerMax: 7}}, {blocksPerRequest: 64})
    await sync.poll()
    expect(chain.height).to.equal(500)
    expect(chain.applied.map((entry) => entry.height)).to.deep.equal(Array.from({length: 500}, (_, index) => index + 1))
    const served = [...fakes.values()].map((peer) => peer.requests.filter((query) => query.type === 'blocks').length)
    expect(served.every((count) => count > 5), `requests per peer ${served}`).to.equal(true)
    expect(Math.max(...[...fakes.values()].map((peer) => peer.inFlightPeak))).to.be.at.least(1)
    const total = [...fakes.values()].reduce((sum, peer) => sum + peer.inFlightPeak, 0)
    expect(total, 'requests in flight at once over all peers').to.be.at.least(3)
    expect(sync.state()).to.include({state: 'following', height: 500, target: 500, gap: 0})
  })

  it('a peer whose block is refused cools down; the others serve that height; the failure is counted', async () => {
    const {chain, sync, fakes} = setup({bad: {height: 200, corruptAt: 5}, good: {height: 200}}, {blocksPerRequest: 4})
    await sync.poll()
    if (chain.height < 200) await sync.poll()
    expect(chain.height).to.equal(200)
    expect(chain.applied.find((entry) => entry.height === 5)!.fill).to.equal(5)
    expect(fakes.get('good')!.requests.length).to.be.greaterThan(0)
    const state = sync.state()
    expect(state.failures).to.be.at.least(1)
    expect(state.lastError).to.match(/block 5 from bad.*refused/)
  })

  it('cannot follow: stalled after the stall period, one warning with the reason, resumes when a peer serves again', async () => {
    const {chain, sync, fakes, lines, advance} = setup({only: {height: 50, corruptAt: 1}})
    await sync.poll()
    expect(chain.height).to.equal(0)
    expect(sync.state().state).to.equal('catching-up')
    advance(STALL_MS + 1)
    await sync.poll()
    const state = sync.state()
    expect(state).to.include({state: 'stalled', gap: 50})
    const warnings = lines.filter((line) => line.level === 'warn')
    expect(warnings).to.have.length(1)
    expect(warnings[0]!.message).to.match(/sync stalled/)
    expect(JSON.stringify(warnings[0]!.context)).to.match(/refused/)
    await sync.poll()
    expect(lines.filter((line) => line.level === 'warn')).to.have.length(1)
    fakes.get('only')!.corruptAt = undefined
    advance(5_000)
    await sync.poll()
    expect(chain.height).to.equal(50)
    expect(sync.state().state).to.equal('following')
    expect(lines.some((line) => line.message === 'sync resumed')).to.equal(true)
  })

  it('no connected peer with the blocks is not silence: stalled with that reason', async () => {
    const {sync, fakes, lines, advance} = setup({a: {height: 30}})
    await sync.poll()
    fakes.get('a')!.height = 60
    fakes.get('a')!.down = true
    sync.notePeerHeight('a', 60)
    advance(STALL_MS + 1)
    await sync.poll()
    expect(sync.state().gap).to.equal(0) // a disconnected peer is no target
    fakes.get('a')!.down = false
    fakes.get('a')!.answerMax = 0
    await sync.poll()
    advance(STALL_MS + 1)
    await sync.poll()
    expect(sync.state()).to.include({state: 'stalled', target: 60})
    expect(lines.some((line) => line.level === 'warn' && /sync stalled/.test(line.message))).to.equal(true)
  })
})
