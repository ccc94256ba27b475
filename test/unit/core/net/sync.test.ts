import {expect} from 'chai'
import {WichainError} from '../../../../src/core/errors.js'
import {SyncService, type SyncOptions} from '../../../../src/core/net/index.js'
import {identity, startNode, type TestNode, text, waitFor} from './helpers.js'

const alice = identity()
const bob = identity()
const everyone = new Set([alice.hex, bob.hex])
const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

async function rejection(promise: Promise<unknown>): Promise<WichainError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof WichainError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('net/sync', function () {
  this.timeout(10_000)
  let a: TestNode
  let b: TestNode
  const services: SyncService[] = []
  const releases: (() => void)[] = []

  async function connectedPair(): Promise<void> {
    b = await startNode(bob, everyone)
    a = await startNode(alice, everyone, {peers: [{publicKey: bob.hex, host: '127.0.0.1', port: b.port}]})
    await waitFor(() => a.node.isConnected(bob.hex) && b.node.isConnected(alice.hex), 'connection')
  }

  function service(node: TestNode, options: SyncOptions = {}): SyncService {
    const created = new SyncService(node.node, options)
    services.push(created)
    return created
  }

  /** A handler that waits until the test releases it (never a fixed sleep). */
  function blockedHandler(): () => Promise<Uint8Array> {
    return () => new Promise((resolve) => releases.push(() => resolve(text('late'))))
  }

  beforeEach(connectedPair)
  afterEach(async () => {
    releases.splice(0).forEach((release) => release())
    services.splice(0).forEach((entry) => entry.close())
    await Promise.all([a.node.close(), b.node.close()])
  })

  it('answers requests in both directions and matches concurrent responses to their requests', async () => {
    const atAlice = service(a)
    const atBob = service(b)
    atBob.onRequest(async (from, body) => text(`${from === alice.hex ? 'alice' : '?'} asked ${asText(body)}`))
    atAlice.onRequest(async (_from, body) => text(`height ${asText(body)}`))
    const answers = await Promise.all([...Array(20).keys()].map((i) => atAlice.request(bob.hex, text(`blocks from ${i}`), 2_000)))
    expect(answers.map(asText)).to.deep.equal([...Array(20).keys()].map((i) => `alice asked blocks from ${i}`))
    expect(asText(await atBob.request(alice.hex, text('7'), 2_000))).to.equal('height 7')
    expect(atAlice.inFlight).to.equal(0)
    expect(a.received.every((message) => message.channel === 'sync')).to.equal(true)
  })

  it('carries a 4 MiB response', async () => {
    const atAlice = service(a)
    service(b).onRequest(async () => new Uint8Array(4 << 20).fill(3))
    const body = await atAlice.request(bob.hex, text('all'), 5_000)
    expect(body.length).to.equal(4 << 20)
    expect(body[body.length - 1]).to.equal(3)
  })

  it('reports a failing handler, a missing handler and an unconnected peer', async () => {
    const atAlice = service(a)
    const atBob = service(b)
    const noHandler = await rejection(atAlice.request(bob.hex, text('x'), 2_000))
    expect(noHandler.code).to.equal('UNAVAILABLE')
    expect(noHandler.message).to.match(/no sync handler/)
    atBob.onRequest(async () => {
      throw new WichainError('NOT_FOUND', 'no block at height 99')
    })
    const failed = await rejection(atAlice.request(bob.hex, text('x'), 2_000))
    expect(failed.code).to.equal('OPERATION_FAILED')
    expect(failed.message).to.match(/no block at height 99/)
    expect((await rejection(atAlice.request(identity().hex, text('x'), 2_000))).code).to.equal('UNAVAILABLE')
  })

  it('times out a request that gets no answer, and ignores the late answer', async () => {
    const atAlice = service(a)
    service(b).onRequest(blockedHandler())
    const started = Date.now()
    const error = await rejection(atAlice.request(bob.hex, text('x'), 150))
    expect(error.code).to.equal('TIMEOUT')
    expect(Date.now() - started).to.be.within(140, 3_000)
    releases.splice(0).forEach((release) => release())
    await waitFor(() => a.received.length === 1, 'late answer arrives')
    expect(atAlice.inFlight).to.equal(0)
  })

  it('bounds requests in flight and requests being served', async () => {
    const atAlice = service(a, {inFlightMax: 3})
    service(b, {servingMax: 1, waitingMax: 1}).onRequest(blockedHandler())
    const first = atAlice.request(bob.hex, text('1'), 5_000)
    await waitFor(() => releases.length === 1, 'bob serving the first request')
    const queued = atAlice.request(bob.hex, text('2'), 5_000)
    const busy = await rejection(atAlice.request(bob.hex, text('3'), 5_000))
    expect(busy.code).to.equal('UNAVAILABLE')
    expect(busy.message).to.match(/busy/)
    expect(releases.length, 'only one handler runs at a time').to.equal(1)
    const third = atAlice.request(bob.hex, text('4'), 5_000)
    third.catch(() => {})
    const overLimit = await rejection(atAlice.request(bob.hex, text('5'), 5_000))
    expect(overLimit.message).to.match(/too many sync requests in flight/)
    releases.shift()?.()
    expect(asText(await first)).to.equal('late')
    await waitFor(() => releases.length === 1, 'the queued request is served next')
    releases.shift()?.()
    expect(asText(await queued)).to.equal('late')
  })

  it('fails pending requests at once when the peer disconnects', async () => {
    const atAlice = service(a)
    service(b).onRequest(blockedHandler())
    const pending = atAlice.request(bob.hex, text('x'), 8_000)
    await waitFor(() => releases.length === 1, 'request reached bob')
    const started = Date.now()
    await b.node.close()
    const error = await rejection(pending)
    expect(error.code).to.equal('UNAVAILABLE')
    expect(error.message).to.match(/disconnected/)
    expect(Date.now() - started).to.be.below(2_000)
  })

  it('rejects bad timeouts and requests after close', async () => {
    const atAlice = service(a)
    expect((await rejection(atAlice.request(bob.hex, text('x'), 0))).code).to.equal('INVALID_ARGUMENT')
    atAlice.close()
    expect((await rejection(atAlice.request(bob.hex, text('x'), 100))).message).to.match(/closed/)
  })
})
