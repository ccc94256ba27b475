import {expect} from 'chai'
import {createServer} from 'node:net'
import {WichainError} from '../../../../src/core/errors.js'
import {CHANNELS} from '../../../../src/core/net/index.js'
import {identity, startNode, type TestNode, text, waitFor} from './helpers.js'

const alice = identity()
const bob = identity()
const carol = identity()
const everyone = () => new Set([alice.hex, bob.hex, carol.hex])

describe('net/transport', function () {
  this.timeout(10_000)
  const started: TestNode[] = []
  const start = async (...args: Parameters<typeof startNode>) => {
    const node = await startNode(...args)
    started.push(node)
    return node
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((entry) => entry.node.close()))
  })

  it('two nodes exchange messages both ways on separate channels', async () => {
    const b = await start(bob, everyone())
    const a = await start(alice, everyone(), {peers: [{publicKey: bob.hex, host: '127.0.0.1', port: b.port}]})
    await waitFor(() => a.node.isConnected(bob.hex) && b.node.isConnected(alice.hex), 'connection')
    expect(a.node.send(bob.hex, CHANNELS.consensus, text('vote 1'))).to.equal(true)
    expect(b.node.send(alice.hex, CHANNELS.tx, text('tx 9'))).to.equal(true)
    await waitFor(() => a.received.length === 1 && b.received.length === 1, 'messages')
    expect(b.received).to.deep.equal([{from: alice.hex, channel: 'consensus', text: 'vote 1'}])
    expect(a.received).to.deep.equal([{from: bob.hex, channel: 'tx', text: 'tx 9'}])
    const [status] = a.node.peers()
    expect(status).to.include({publicKey: bob.hex, connected: true, direction: 'outbound', port: b.port, messagesIn: 1, messagesOut: 1})
    expect(status.bytesIn).to.be.greaterThan(0)
    expect(status.bytesOut).to.be.greaterThan(0)
    expect(status.since).to.be.a('number')
    expect(b.node.peers()[0]).to.include({connected: true, direction: 'inbound'})
  })

  it('three nodes that all dial each other end with one connection per pair and broadcast to all', async () => {
    const nodes = [await start(alice, everyone()), await start(bob, everyone()), await start(carol, everyone())]
    const ids = [alice, bob, carol]
    nodes.forEach((entry, i) => ids.forEach((other, j) => {
      if (i !== j) entry.node.addPeer({publicKey: other.hex, host: '127.0.0.1', port: nodes[j].port})
    }))
    await waitFor(() => nodes.every((entry) => entry.node.connectedPeers().length === 2 && entry.node.connectionCount === 2),
      'a full mesh without duplicate connections')
    // Both ends agree on which connection survived.
    const aliceSeesBob = nodes[0].node.peers().find((peer) => peer.publicKey === bob.hex)
    const bobSeesAlice = nodes[1].node.peers().find((peer) => peer.publicKey === alice.hex)
    expect([aliceSeesBob?.direction, bobSeesAlice?.direction].sort()).to.deep.equal(['inbound', 'outbound'])
    nodes.forEach((entry, i) => expect(entry.node.broadcast(CHANNELS.consensus, text(`from ${i}`))).to.equal(2))
    await waitFor(() => nodes.every((entry) => entry.received.length === 2), 'broadcasts')
    expect(nodes[0].received.map((message) => message.text).sort()).to.deep.equal(['from 1', 'from 2'])
    expect(nodes[1].received.map((message) => message.text).sort()).to.deep.equal(['from 0', 'from 2'])
    expect(nodes[2].received.map((message) => message.text).sort()).to.deep.equal(['from 0', 'from 1'])
  })

  it('delivers large messages in order through backpressure', async () => {
    const b = await start(bob, everyone())
    const a = await start(alice, everyone(), {peers: [{publicKey: bob.hex, host: '127.0.0.1', port: b.port}]})
    await waitFor(() => a.node.isConnected(bob.hex), 'connection')
    const sizes: number[] = []
    const firstBytes: number[] = []
    b.node.onMessage((_from, _channel, body) => {
      sizes.push(body.length)
      firstBytes.push(body[0])
    })
    for (let i = 0; i < 24; i++) a.node.send(bob.hex, CHANNELS.sync, new Uint8Array(512 * 1024).fill(i))
    await waitFor(() => sizes.length === 24, 'all large messages', 8_000)
    expect(firstBytes).to.deep.equal([...Array(24).keys()])
    expect(a.node.peers()[0].messagesDropped).to.equal(0)
  })

  it('drops the oldest messages when a peer send queue overflows, and says so', async () => {
    const b = await start(bob, everyone())
    const a = await start(alice, everyone(), {
      peers: [{publicKey: bob.hex, host: '127.0.0.1', port: b.port}], limits: {sendQueueMessagesMax: 4},
    })
    await waitFor(() => a.node.isConnected(bob.hex), 'connection')
    // One synchronous burst: the queue is flushed on the next microtask, after all ten are queued.
    for (let i = 0; i < 10; i++) expect(a.node.send(bob.hex, 'tx', text(`m${i}`))).to.equal(true)
    await waitFor(() => b.received.length === 4, 'the surviving messages')
    expect(b.received.map((message) => message.text)).to.deep.equal(['m6', 'm7', 'm8', 'm9'])
    expect(a.node.peers()[0].messagesDropped).to.equal(6)
    expect(a.logs.filter((entry) => entry.message === 'send queue full; dropped oldest messages')).to.have.length(1)
  })

  it('refuses a node whose key is not on the list when it dials in, and says why in the log', async () => {
    const a = await start(alice, new Set([alice.hex, bob.hex]))
    const c = await start(carol, everyone(), {peers: [{publicKey: alice.hex, host: '127.0.0.1', port: a.port}]})
    await waitFor(() => a.logs.some((entry) => entry.message === 'connection refused'), 'refusal log')
    const refusal = a.logs.find((entry) => entry.message === 'connection refused')
    expect(refusal?.level).to.equal('warn')
    expect(refusal?.context.reason).to.equal('key is not on the allowed node list')
    expect(refusal?.context.publicKey).to.equal(carol.hex)
    await waitFor(() => /refused us: key is not on the allowed node list/.test(c.node.peers()[0].lastError ?? ''), 'dialer error')
    expect(a.node.connectedPeers()).to.deep.equal([])
    expect(c.node.connectedPeers()).to.deep.equal([])
    expect(c.node.send(alice.hex, 'tx', text('let me in'))).to.equal(false)
    expect(a.received).to.deep.equal([])
  })

  it('refuses to connect out to a node whose key is not on the list', async () => {
    const c = await start(carol, everyone())
    const a = await start(alice, new Set([alice.hex, bob.hex]), {peers: [{publicKey: carol.hex, host: '127.0.0.1', port: c.port}]})
    await waitFor(() => a.logs.some((entry) => entry.message === 'connection refused'), 'refusal log')
    expect(a.logs.find((entry) => entry.message === 'connection refused')?.context).to.include({role: 'initiator', publicKey: carol.hex})
    await waitFor(() => c.logs.some((entry) => /refused us/.test(String(entry.context.reason))), 'responder learns the refusal')
    expect(a.node.connectedPeers()).to.deep.equal([])
    expect(c.node.connectedPeers()).to.deep.equal([])
  })

  it('refuses a node of another network (chain id)', async () => {
    const a = await start(alice, everyone())
    const b = await start(bob, everyone(), {networkId: 'chain-b', peers: [{publicKey: alice.hex, host: '127.0.0.1', port: a.port}]})
    await waitFor(() => a.logs.some((entry) => entry.message === 'connection refused'), 'refusal log')
    expect(String(a.logs.find((entry) => entry.message === 'connection refused')?.context.reason))
      .to.equal("network id 'chain-b' does not match 'chain-a'")
    await waitFor(() => /network id/.test(b.node.peers()[0].lastError ?? ''), 'dialer error')
    expect(a.node.connectedPeers()).to.deep.equal([])
  })

  it('removing a peer disconnects it; a revoked key is dropped by setAllowed and cannot come back', async () => {
    const aliceAllows = everyone()
    const b = await start(bob, everyone())
    const c = await start(carol, everyone())
    const a = await start(alice, aliceAllows, {peers: [
      {publicKey: bob.hex, host: '127.0.0.1', port: b.port}, {publicKey: carol.hex, host: '127.0.0.1', port: c.port},
    ]})
    await waitFor(() => a.node.connectedPeers().length === 2, 'connections')
    const disconnected: string[] = []
    a.node.onPeerDisconnected((key) => disconnected.push(key))
    aliceAllows.delete(bob.hex)
    a.node.removePeer(bob.hex)
    await waitFor(() => !b.node.isConnected(alice.hex), 'bob sees the disconnect')
    expect(disconnected).to.deep.equal([bob.hex])
    expect(a.node.peers().map((peer) => peer.publicKey)).to.deep.equal([carol.hex])

    a.node.setAllowed((key) => key === bob.hex)
    await waitFor(() => !c.node.isConnected(alice.hex) && !a.node.isConnected(carol.hex), 'carol dropped')
    expect(disconnected).to.deep.equal([bob.hex, carol.hex])
    // Carol is still in Alice's dial list, but Alice's own handshake now refuses her.
    await waitFor(() => /allowed node list/.test(a.node.peers()[0].lastError ?? ''), 'redial refused')
    expect(a.node.isConnected(carol.hex)).to.equal(false)
  })

  it('reconnects after the peer restarts on the same port, and close() frees the port', async () => {
    const b1 = await start(bob, everyone())
    const port = b1.port
    const a = await start(alice, everyone(), {peers: [{publicKey: bob.hex, host: '127.0.0.1', port}]})
    await waitFor(() => a.node.isConnected(bob.hex), 'first connection')
    const events: string[] = []
    a.node.onPeerConnected(() => events.push('up'))
    a.node.onPeerDisconnected(() => events.push('down'))
    await b1.node.close()
    await waitFor(() => events.includes('down'), 'disconnect seen')
    const b2 = await start(bob, everyone(), {port})
    expect(b2.port).to.equal(port)
    await waitFor(() => events.join() === 'down,up', 'reconnect')
    a.node.send(bob.hex, 'tx', text('after restart'))
    await waitFor(() => b2.received.length === 1, 'message over the new session')
    expect(b2.received[0]).to.deep.include({from: alice.hex, text: 'after restart'})
    expect(a.node.peers()[0].reconnectAttempts).to.equal(0)
  })

  it('close() ends everything: another server can listen on the same port', async () => {
    const b = await start(bob, everyone())
    const a = await start(alice, everyone(), {peers: [{publicKey: bob.hex, host: '127.0.0.1', port: b.port}]})
    await waitFor(() => a.node.isConnected(bob.hex), 'connection')
    await b.node.close()
    await b.node.close() // idempotent
    const server = createServer()
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(b.port, '127.0.0.1', resolve))
    await new Promise((resolve) => server.close(resolve))
    await waitFor(() => !a.node.isConnected(bob.hex), 'alice sees bob gone')
  })

  it('checks its arguments: channels, sizes, unknown peers, itself', async () => {
    const a = await start(alice, everyone(), {limits: {frameBytesMax: 4096}})
    const code = (action: () => unknown) => {
      try {
        action()
      } catch (error) {
        return (error as WichainError).code
      }
      return 'none'
    }
    expect(code(() => a.node.send(bob.hex, 'Bad Channel', text('x')))).to.equal('INVALID_ARGUMENT')
    expect(code(() => a.node.send(bob.hex, 'tx', new Uint8Array(4096)))).to.equal('PAYLOAD_TOO_LARGE')
    expect(code(() => a.node.send('04abcd', 'tx', text('x')))).to.equal('INVALID_ARGUMENT')
    expect(a.node.send(bob.hex, 'tx', text('x'))).to.equal(false)
    expect(code(() => a.node.addPeer({publicKey: alice.hex, host: '127.0.0.1', port: 1}))).to.equal('INVALID_ARGUMENT')
    expect(code(() => a.node.addPeer({publicKey: bob.hex, host: '127.0.0.1', port: 70_000}))).to.equal('INVALID_ARGUMENT')
  })
})
