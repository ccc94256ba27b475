/** The `openssl speed` parsers behind `wichain bench crypto`, on output captured from OpenSSL 3.0. */
import {expect} from 'chai'
import {benchCrypto, parseOpensslEvp, parseOpensslSm2} from '../../../src/bench/crypto.js'

describe('bench/crypto', () => {
  it('reads SM2 sign/verify per second from machine-readable and human output', () => {
    expect(parseOpensslSm2('+DTP:256:SM2:CurveSM2:1\n+F7:0:256:CurveSM2:2911.111111:3780.000000\n')).to.deep.equal({signPerSec: 2911.111111, verifyPerSec: 3780})
    const human = '                              sign    verify    sign/s verify/s\n 256 bits SM2 (CurveSM2)   0.0003s   0.0003s   2863.8   3571.9\n'
    expect(parseOpensslSm2(human)).to.deep.equal({signPerSec: 2863.8, verifyPerSec: 3571.9})
    expect(parseOpensslSm2('Unknown algorithm sm2')).to.equal(null)
  })

  it('reads bytes per second for an EVP digest or cipher', () => {
    expect(parseOpensslEvp('+DT:sm3:1:16384\n+F:25:sm3:419877236.36\n', 'sm3')).to.equal(419877236.36)
    expect(parseOpensslEvp('type  16384 bytes\nSM4-CBC  112039.09k\n', 'sm4-cbc')).to.equal(112039090)
    expect(parseOpensslEvp('+F:25:sm3:1\n', 'sm4-cbc')).to.equal(null)
  })

  it('measures every figure with a positive rate and names the verify path', async () => {
    const result = await benchCrypto({durationMs: 100})
    for (const figure of [result.sm2SignPerSec, result.sm2VerifyPerSec, result.sm2VerifyJsPerSec, result.sm3MBps, result.sm4MBps]) expect(figure).to.be.greaterThan(0)
    expect(result.verifyPath).to.match(/native|pure JS/)
  })
})
