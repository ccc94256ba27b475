import {expect} from 'chai'
import fc from 'fast-check'
import {WichainError} from '../../../../src/core/errors.js'
import {encodeFrame, FrameDecoder} from '../../../../src/core/net/frame.js'

function decodeAll(decoder: FrameDecoder, chunks: Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = []
  for (const chunk of chunks) decoder.push(chunk, (frame) => frames.push(new Uint8Array(frame)) > 0)
  return frames
}

function thrownCode(action: () => void): string | undefined {
  try {
    action()
  } catch (error) {
    return error instanceof WichainError ? error.code : 'not a WichainError'
  }
  return undefined
}

describe('net/frame', () => {
  it('round-trips frames split at every byte and joined in one chunk', () => {
    const payloads = [new Uint8Array([1]), new Uint8Array(300).fill(7), new Uint8Array([9, 8, 7])]
    const stream = Buffer.concat(payloads.map((payload) => encodeFrame(payload)))
    const oneByOne = decodeAll(new FrameDecoder(1024), [...stream].map((byte) => new Uint8Array([byte])))
    const whole = decodeAll(new FrameDecoder(1024), [stream])
    expect(oneByOne).to.deep.equal(payloads)
    expect(whole).to.deep.equal(payloads)
  })

  it('decodes any chunking of any frame sequence (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({minLength: 1, maxLength: 200}), {maxLength: 8}),
      fc.array(fc.integer({min: 1, max: 64}), {minLength: 1, maxLength: 20}),
      (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((payload) => encodeFrame(payload)))
        const chunks: Uint8Array[] = []
        for (let offset = 0, i = 0; offset < stream.length; i++) {
          const size = cuts[i % cuts.length]
          chunks.push(stream.subarray(offset, offset + size))
          offset += size
        }
        expect(decodeAll(new FrameDecoder(200), chunks)).to.deep.equal(payloads)
      },
    ))
  })

  it('rejects a length above the maximum before buffering the body, and stays failed', () => {
    const decoder = new FrameDecoder(100)
    const header = Buffer.from([0, 0, 0, 101])
    expect(thrownCode(() => decoder.push(header, () => true))).to.equal('PAYLOAD_TOO_LARGE')
    expect(decoder.bufferedBytes).to.be.at.most(4)
    expect(thrownCode(() => decoder.push(encodeFrame(new Uint8Array(1)), () => true))).to.equal('DECODE_ERROR')
  })

  it('rejects a zero length and a 4 GiB length', () => {
    expect(thrownCode(() => new FrameDecoder(100).push(Buffer.from([0, 0, 0, 0]), () => true))).to.equal('DECODE_ERROR')
    expect(thrownCode(() => new FrameDecoder(16 << 20).push(Buffer.from([255, 255, 255, 255]), () => true)))
      .to.equal('PAYLOAD_TOO_LARGE')
  })

  it('applies a limit changed by the listener to the next frame of the same chunk', () => {
    const decoder = new FrameDecoder(8)
    const stream = Buffer.concat([encodeFrame(new Uint8Array(8)), encodeFrame(new Uint8Array(50))])
    const sizes: number[] = []
    decoder.push(stream, (frame) => {
      sizes.push(frame.length)
      decoder.setFrameBytesMax(64)
      return true
    })
    expect(sizes).to.deep.equal([8, 50])
  })

  it('stops delivering when the listener returns false', () => {
    const stream = Buffer.concat([encodeFrame(new Uint8Array([1])), encodeFrame(new Uint8Array([2]))])
    let count = 0
    new FrameDecoder(8).push(stream, () => ++count < 1)
    expect(count).to.equal(1)
  })

  it('refuses to encode an empty frame', () => {
    expect(thrownCode(() => encodeFrame(new Uint8Array(0)))).to.equal('INVALID_ARGUMENT')
  })
})
