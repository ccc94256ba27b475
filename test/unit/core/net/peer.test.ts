import {expect} from 'chai'
import type {Connection} from '../../../../src/core/net/connection.js'
import {DEFAULT_LIMITS, reconnectDelayMs, resolveLimits} from '../../../../src/core/net/options.js'
import {checkPeerAddress, normalizePublicKeyHex, preferredConnection} from '../../../../src/core/net/peer.js'

const KEY_LOW = `04${'1'.repeat(128)}`
const KEY_HIGH = `04${'f'.repeat(128)}`
const connection = (initiatorKeyHex: string) => ({initiatorKeyHex}) as unknown as Connection

describe('net/peer', () => {
  it('keeps the connection dialled by the smaller key, whichever arrived first', () => {
    const low = connection(KEY_LOW)
    const high = connection(KEY_HIGH)
    expect(preferredConnection(low, high)).to.equal(low)
    expect(preferredConnection(high, low)).to.equal(low)
  })

  it('keeps the newer connection when both were dialled by the same side', () => {
    const older = connection(KEY_HIGH)
    const newer = connection(KEY_HIGH)
    expect(preferredConnection(older, newer)).to.equal(newer)
  })

  it('normalizes keys and checks addresses', () => {
    expect(normalizePublicKeyHex(`0x${KEY_HIGH.toUpperCase()}`)).to.equal(KEY_HIGH)
    expect(() => normalizePublicKeyHex('04abcd')).to.throw(/65-byte/)
    expect(checkPeerAddress({publicKey: KEY_LOW, host: 'localhost', port: 30303})).to.deep.equal({publicKey: KEY_LOW, host: 'localhost', port: 30303})
    expect(() => checkPeerAddress({publicKey: KEY_LOW, host: '', port: 1})).to.throw(/host/)
    expect(() => checkPeerAddress({publicKey: KEY_LOW, host: 'h', port: 0})).to.throw(/port/)
  })
})

describe('net/options', () => {
  it('backs off exponentially from the minimum to the maximum', () => {
    const limits = resolveLimits({reconnectDelayMsMin: 100, reconnectDelayMsMax: 1_000})
    expect([1, 2, 3, 4, 5, 100].map((attempt) => reconnectDelayMs(limits, attempt))).to.deep.equal([100, 200, 400, 800, 1_000, 1_000])
  })

  it('validates limits', () => {
    expect(resolveLimits()).to.deep.equal(DEFAULT_LIMITS)
    expect(() => resolveLimits({frameBytesMax: 0})).to.throw(/frameBytesMax/)
    expect(() => resolveLimits({handshakeTimeoutMs: 1.5})).to.throw(/handshakeTimeoutMs/)
    expect(() => resolveLimits({reconnectDelayMsMin: 10, reconnectDelayMsMax: 5})).to.throw(/reconnectDelayMsMin/)
  })
})
