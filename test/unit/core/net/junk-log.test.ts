/**
 * A flood of junk TCP connections (garbage frames, oversize frame headers, connections past the
 * slot limit) costs the node's log a bounded number of lines: the node's logger rate-limits
 * repeated events and summarises them by count.
 */
import {expect} from 'chai'
import {connect, type Socket} from 'node:net'
import {encodeFrame} from '../../../../src/core/net/frame.js'
import {createNodeLogger} from '../../../../src/core/log.js'
import {DEFAULT_REPEAT_LIMITS} from '../../../../src/core/log-repeat.js'
import {identity, startNode, waitFor} from './helpers.js'

/** Opens a raw client, sends `bytes` (if any), and resolves once the node has closed it. */
async function junk(port: number, bytes?: Uint8Array): Promise<void> {
  const socket = connect({host: '127.0.0.1', port})
  socket.on('error', () => {})
  socket.resume()
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.once('connect', () => {
    if (bytes !== undefined) socket.write(bytes)
  })
  await closed
}

describe('net: junk connections do not flood the log', function () {
  this.timeout(60_000)

  it('2,000 junk connections (some past the connection limit) write a bounded number of lines', async () => {
    const bob = identity()
    const lines: string[] = []
    const logger = createNodeLogger((line) => lines.push(line))
    const b = await startNode(bob, new Set([bob.hex]), {logger, limits: {connectionsMax: 8, handshakeTimeoutMs: 30_000}})
    const garbage = encodeFrame(new Uint8Array(40).fill(0x41))
    const oversize = new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3])
    const flood = async (waves: number) => {
      for (let wave = 0; wave < waves; wave++) {
        await Promise.all(Array.from({length: 50}, (_, index) => junk(b.port, index % 2 === 0 ? garbage : oversize)))
      }
    }
    const silent: Socket[] = []
    try {
      await flood(20)
      // Silent clients take every connection slot; the next 1,000 are refused at accept.
      for (let index = 0; index < 8; index++) silent.push(connect({host: '127.0.0.1', port: b.port}).on('error', () => {}))
      await waitFor(() => b.node.connectionCount >= 8, 'silent clients holding every slot')
      await flood(20)
    } finally {
      for (const socket of silent) socket.destroy()
      await b.node.close()
    }
    logger.flush()
    const records = lines.map((line) => JSON.parse(line) as {msg: string; repeated?: number})
    const refused = records.filter((record) => /^(connection refused|closing connection|refusing connection)/.test(record.msg))
    expect(records.some((record) => /^refusing connection: too many connections … repeated/.test(record.msg))).to.equal(true)
    // A handful per distinct message, plus one summary each; not one line per connection.
    expect(lines.length).to.be.at.most(10 * (DEFAULT_REPEAT_LIMITS.perInterval + 1))
    expect(refused.length).to.be.greaterThan(0)
    const summarised = records.reduce((sum, record) => sum + (record.repeated ?? 0), 0)
    expect(summarised).to.equal(logger.stats.linesSuppressed)
    // Every junk connection is accounted for: written or counted.
    const perConnection = refused.filter((record) => record.repeated === undefined).length + summarised
    expect(perConnection).to.be.at.least(2_000)
  })
})
