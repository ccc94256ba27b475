import {expect} from 'chai'
import {
  NonceCache, readRequestHeaders, REQUEST_HEADERS, REQUEST_NONCE_BYTES, signRequest, verifySignedRequest, type HttpRequestParts,
} from '../../../../src/core/authz/request.js'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'

const signer = createSigner(generateKeyPair())
const other = createSigner(generateKeyPair())
const NOW = 1_800_000_000_000
const request: HttpRequestParts = {method: 'POST', path: '/', host: '127.0.0.1:26600', body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"archive.run","params":{"below":5}}')}
let counter = 0
const nonce = () => {
  const bytes = new Uint8Array(REQUEST_NONCE_BYTES)
  new DataView(bytes.buffer).setUint32(0, ++counter)
  return bytes
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    return (error as WichainError).code
  }
  return undefined
}

function check(headers: Record<string, string>, received: HttpRequestParts = request, now = NOW, cache = new NonceCache(60_000, 100)) {
  return verifySignedRequest(readRequestHeaders(headers)!, received, now, cache)
}

describe('core/authz/request: signed RPC requests', () => {
  it('a request signed by a key verifies to that account', () => {
    const verified = check(signRequest(signer, request, NOW, nonce()))
    expect(verified.address).to.equal(signer.address)
  })

  it('an unsigned request reads as undefined; partial or malformed headers are UNAUTHORIZED', () => {
    expect(readRequestHeaders({host: 'x'})).to.equal(undefined)
    const headers = signRequest(signer, request, NOW, nonce())
    const {[REQUEST_HEADERS.nonce]: _dropped, ...partial} = headers
    expect(codeOf(() => readRequestHeaders(partial))).to.equal('UNAUTHORIZED')
    expect(codeOf(() => readRequestHeaders({...headers, [REQUEST_HEADERS.timestamp]: '12e5'}))).to.equal('UNAUTHORIZED')
    expect(codeOf(() => readRequestHeaders({...headers, [REQUEST_HEADERS.key]: 'ab'}))).to.equal('UNAUTHORIZED')
  })

  const tampered: Array<[string, Partial<HttpRequestParts>]> = [
    ['another body', {body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"archive.run","params":{"below":9}}')}],
    ['another path', {path: '/metrics'}],
    ['another method', {method: 'GET'}],
    ['another host', {host: 'evil.example:26600'}],
  ]
  for (const [what, change] of tampered) {
    it(`a signature over one request does not verify for ${what}`, () => {
      const headers = signRequest(signer, request, NOW, nonce())
      expect(codeOf(() => check(headers, {...request, ...change}))).to.equal('UNAUTHORIZED')
    })
  }

  it('a signature does not verify under another key (wrong key)', () => {
    const headers = {...signRequest(signer, request, NOW, nonce()), [REQUEST_HEADERS.key]: Buffer.from(other.publicKey).toString('hex')}
    expect(codeOf(() => check(headers))).to.equal('UNAUTHORIZED')
  })

  it('a request older or later than the skew bound is REQUEST_EXPIRED; at the bound it passes', () => {
    expect(codeOf(() => check(signRequest(signer, request, NOW - 60_001, nonce())))).to.equal('REQUEST_EXPIRED')
    expect(codeOf(() => check(signRequest(signer, request, NOW + 60_001, nonce())))).to.equal('REQUEST_EXPIRED')
    expect(check(signRequest(signer, request, NOW - 60_000, nonce())).address).to.equal(signer.address)
  })

  it('the same signed request twice is REQUEST_REPLAYED; a forged one does not use up its nonce', () => {
    const cache = new NonceCache(60_000, 100)
    const headers = signRequest(signer, request, NOW, nonce())
    const forged = {...headers, [REQUEST_HEADERS.signature]: signRequest(other, request, NOW, nonce())[REQUEST_HEADERS.signature]!}
    expect(codeOf(() => check(forged, request, NOW, cache))).to.equal('UNAUTHORIZED')
    expect(check(headers, request, NOW, cache).address).to.equal(signer.address)
    expect(codeOf(() => check(headers, request, NOW + 1_000, cache))).to.equal('REQUEST_REPLAYED')
  })

  it('the nonce cache is bounded: expired nonces are swept, live ones are never evicted (UNAVAILABLE instead)', () => {
    const cache = new NonceCache(1_000, 2)
    expect(cache.remember('a', NOW, NOW)).to.equal(true)
    expect(cache.remember('b', NOW, NOW)).to.equal(true)
    expect(codeOf(() => cache.remember('c', NOW, NOW))).to.equal('UNAVAILABLE')
    expect(cache.remember('a', NOW, NOW + 500)).to.equal(false)
    // Past both expiries the sweep makes room; a nonce that left the window is out of the skew bound anyway.
    expect(cache.remember('c', NOW + 1_500, NOW + 1_500)).to.equal(true)
    expect(cache.size).to.equal(1)
  })
})
