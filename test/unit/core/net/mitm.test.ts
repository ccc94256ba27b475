/**
 * Attacks on the wire: a proxy between two nodes that replays, alters or inflates frames, and raw
 * TCP clients that send garbage or nothing. Every case must drop the connection and deliver nothing
 * that failed a check.
 */
import {expect} from 'chai'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {encodeFrame, FrameDecoder} from '../../../../src/core/net/frame.js'
import {identity, type LogEntry, startNode, type TestNode, text, waitFor} from './helpers.js'

const alice = identity()
const bob = identity()
const everyone = new Set([alice.hex, bob.hex])

/** Rewrites the client→server frames of the FIRST proxied connection; later ones pass through. */
type FrameRewriter = (index: number, frame: Buffer) => Buffer[]

interface Proxy {
  readonly port: number
  readonly close: () => Promise<void>
}

async function startProxy(targetPort: number, rewrite: FrameRewriter): Promise<Proxy> {
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((client) => {
    const first = connections++ === 0
    const upstream = connect({host: '127.0.0.1', port: targetPort})
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    upstream.pipe(client)
    if (!first) {
      client.pipe(upstream)
      return
    }
    const decoder = new FrameDecoder(64 << 20)
    let index = 0
    client.on('data', (chunk: Buffer) => decoder.push(chunk, (payload) => {
      for (const out of rewrite(index++, encodeFrame(payload))) upstream.write(out)
      return true
    }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as {port: number}
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const DATA_FRAME = 2 // frames 0 and 1 from the initiator are its hello and auth
const hasLog = (logs: LogEntry[], pattern: RegExp) => logs.some((entry) => pattern.test(`${entry.message} ${JSON.stringify(entry.context)}`))

describe('net/mitm', function () {
  this.timeout(10_000)
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
  })

  /** Alice dials Bob through a rewriting proxy; she does not redial within the test. */
  async function throughProxy(rewrite: FrameRewriter): Promise<{a: TestNode; b: TestNode}> {
    const b = await startNode(bob, everyone)
    const proxy = await startProxy(b.port, rewrite)
    const a = await startNode(alice, everyone, {
      peers: [{publicKey: bob.hex, host: '127.0.0.1', port: proxy.port}],
      limits: {reconnectDelayMsMin: 60_000, reconnectDelayMsMax: 60_000},
    })
    cleanups.push(() => a.node.close(), () => b.node.close(), () => proxy.close())
    await waitFor(() => a.node.isConnected(bob.hex), 'connection through the proxy')
    return {a, b}
  }

  it('a replayed ciphertext frame drops the connection; the original is delivered once', async () => {
    const {a, b} = await throughProxy((index, frame) => (index === DATA_FRAME ? [frame, frame] : [frame]))
    a.node.send(bob.hex, 'tx', text('pay 100'))
    await waitFor(() => hasLog(b.logs, /VERIFICATION_FAILED/), 'MAC failure on the replay')
    await waitFor(() => !b.node.isConnected(alice.hex), 'bob drops alice')
    expect(b.received.map((message) => message.text)).to.deep.equal(['pay 100'])
  })

  it('one flipped ciphertext bit drops the connection and delivers nothing', async () => {
    const {a, b} = await throughProxy((index, frame) => {
      if (index === DATA_FRAME) frame[8] ^= 0x04
      return [frame]
    })
    a.node.send(bob.hex, 'tx', text('pay 100'))
    a.node.send(bob.hex, 'tx', text('pay 200'))
    await waitFor(() => hasLog(b.logs, /VERIFICATION_FAILED/), 'MAC failure')
    await waitFor(() => !a.node.isConnected(bob.hex), 'alice sees the connection dropped')
    expect(b.received).to.deep.equal([])
  })

  it('an oversize length after the handshake drops the connection before buffering', async () => {
    const {a, b} = await throughProxy((index, frame) => (index === DATA_FRAME ? [Buffer.from([0xff, 0xff, 0xff, 0xf0])] : [frame]))
    a.node.send(bob.hex, 'tx', text('pay 100'))
    await waitFor(() => hasLog(b.logs, /PAYLOAD_TOO_LARGE/), 'oversize log')
    await waitFor(() => !b.node.isConnected(alice.hex), 'bob drops alice')
    expect(b.received).to.deep.equal([])
  })

  it('a tampered handshake signature fails the handshake', async () => {
    const b = await startNode(bob, everyone)
    const proxy = await startProxy(b.port, (index, frame) => {
      if (index === 1) frame[20] ^= 0x01
      return [frame]
    })
    const a = await startNode(alice, everyone, {
      peers: [{publicKey: bob.hex, host: '127.0.0.1', port: proxy.port}], limits: {reconnectDelayMsMin: 60_000, reconnectDelayMsMax: 60_000},
    })
    cleanups.push(() => a.node.close(), () => b.node.close(), () => proxy.close())
    await waitFor(() => hasLog(b.logs, /does not verify/), 'handshake failure')
    expect(b.node.connectedPeers()).to.deep.equal([])
    await waitFor(() => a.node.peers()[0].lastError !== undefined, 'alice learns')
    expect(a.node.isConnected(bob.hex)).to.equal(false)
  })

  /** Opens a raw TCP client to a node, sends `bytes`, resolves when the node closes it. */
  async function rawClient(port: number, bytes?: Uint8Array): Promise<{closedAfterMs: number; received: number}> {
    const socket = connect({host: '127.0.0.1', port})
    const started = Date.now()
    let received = 0
    socket.on('data', (chunk) => {
      received += chunk.length
    })
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    if (bytes !== undefined) socket.write(bytes)
    await new Promise((resolve) => socket.once('close', resolve))
    return {closedAfterMs: Date.now() - started, received}
  }

  it('a raw client announcing a 4 GiB frame is cut off with a logged reason', async () => {
    const b = await startNode(bob, everyone)
    cleanups.push(() => b.node.close())
    const result = await rawClient(b.port, new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    expect(result.received).to.equal(0)
    expect(hasLog(b.logs, /closing connection.*exceeds the maximum/)).to.equal(true)
  })

  it('a raw client sending a garbage frame is refused', async () => {
    const b = await startNode(bob, everyone)
    cleanups.push(() => b.node.close())
    await rawClient(b.port, encodeFrame(new Uint8Array(40).fill(0x41)))
    expect(hasLog(b.logs, /connection refused.*HANDSHAKE_FAILED/)).to.equal(true)
    expect(b.node.connectionCount).to.equal(0)
  })

  it('a silent client is closed after the handshake timeout', async () => {
    const b = await startNode(bob, everyone, {limits: {handshakeTimeoutMs: 300}})
    cleanups.push(() => b.node.close())
    const result = await rawClient(b.port)
    expect(result.closedAfterMs).to.be.within(250, 3_000)
    expect(hasLog(b.logs, /handshake timed out/)).to.equal(true)
    expect(b.node.connectionCount).to.equal(0)
  })
})
