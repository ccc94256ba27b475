import {expect} from 'chai'
import {concatBytes, toHex} from '../../../../src/core/bytes.js'
import {hmacSm3, sm4Ctr} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {FRAME_HEADER_BYTES, MAC_BYTES, SecureChannel} from '../../../../src/core/net/index.js'
import {splitSessionKeys, SESSION_KEY_MATERIAL_BYTES} from '../../../../src/core/net/secure-channel.js'
import {text} from './helpers.js'

function pair(): {initiator: SecureChannel; responder: SecureChannel} {
  const material = new Uint8Array(SESSION_KEY_MATERIAL_BYTES).map((_, i) => (i * 31 + 7) & 0xff)
  return {
    initiator: new SecureChannel(splitSessionKeys(material, 'initiator')),
    responder: new SecureChannel(splitSessionKeys(material, 'responder')),
  }
}

/** The payload part of a sealed wire frame (drops the length header). */
function payloadOf(frame: Buffer): Uint8Array {
  expect(frame.readUInt32BE(0)).to.equal(frame.length - FRAME_HEADER_BYTES)
  return new Uint8Array(frame.subarray(FRAME_HEADER_BYTES))
}

function code(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return error instanceof WichainError ? error.code : 'other'
  }
  return 'none'
}

describe('net/secure-channel', () => {
  it('round-trips in both directions, parts concatenated, ciphertext unlike plaintext', () => {
    const {initiator, responder} = pair()
    const frame = payloadOf(initiator.sealFrame([text('hello '), text('world')]))
    expect(frame.length).to.equal(11 + MAC_BYTES)
    expect(Buffer.from(frame).includes('hello')).to.equal(false)
    expect(Buffer.from(responder.open(frame)).toString()).to.equal('hello world')
    expect(Buffer.from(initiator.open(payloadOf(responder.sealFrame([text('back')])))).toString()).to.equal('back')
  })

  it('is SM4-CTR then HMAC-SM3 over sequence ‖ ciphertext, as documented', () => {
    const material = new Uint8Array(SESSION_KEY_MATERIAL_BYTES).map((_, i) => (i * 31 + 7) & 0xff)
    const keys = splitSessionKeys(material, 'initiator')
    const channel = new SecureChannel(keys)
    const first = payloadOf(channel.sealFrame([text('first frame')]))
    const second = payloadOf(channel.sealFrame([text('second')]))
    const stream = sm4Ctr(keys.send.key, keys.send.iv, text('first framesecond'))
    const ciphertexts = [first.subarray(0, 11), second.subarray(0, 6)]
    expect(toHex(concatBytes(...ciphertexts))).to.equal(toHex(stream))
    const sequence = (n: number) => new Uint8Array([0, 0, 0, 0, 0, 0, 0, n])
    expect(toHex(first.subarray(11))).to.equal(toHex(hmacSm3(keys.send.macKey, sequence(0), ciphertexts[0])))
    expect(toHex(second.subarray(6))).to.equal(toHex(hmacSm3(keys.send.macKey, sequence(1), ciphertexts[1])))
  })

  it('never reuses keystream: equal plaintexts encrypt differently', () => {
    const {initiator} = pair()
    const first = payloadOf(initiator.sealFrame([text('same')]))
    const second = payloadOf(initiator.sealFrame([text('same')]))
    expect(toHex(first)).to.not.equal(toHex(second))
  })

  it('rejects a flipped bit in ciphertext or MAC', () => {
    for (const position of [0, 4 + MAC_BYTES - 1]) {
      const {initiator, responder} = pair()
      const frame = payloadOf(initiator.sealFrame([text('data')]))
      frame[position] ^= 0x01
      expect(code(() => responder.open(frame))).to.equal('VERIFICATION_FAILED')
    }
  })

  it('rejects a replayed, a reordered and a reflected frame', () => {
    const replay = pair()
    const first = payloadOf(replay.initiator.sealFrame([text('one')]))
    replay.responder.open(first)
    expect(code(() => replay.responder.open(first))).to.equal('VERIFICATION_FAILED')

    const reorder = pair()
    reorder.initiator.sealFrame([text('one')])
    const later = payloadOf(reorder.initiator.sealFrame([text('two')]))
    expect(code(() => reorder.responder.open(later))).to.equal('VERIFICATION_FAILED')

    const reflect = pair()
    const own = payloadOf(reflect.initiator.sealFrame([text('mine')]))
    expect(code(() => reflect.initiator.open(own))).to.equal('VERIFICATION_FAILED')
  })

  it('rejects a frame shorter than a MAC', () => {
    expect(code(() => pair().responder.open(new Uint8Array(MAC_BYTES - 1)))).to.equal('DECODE_ERROR')
  })
})
