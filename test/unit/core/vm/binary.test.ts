import {expect} from 'chai'
import fc from 'fast-check'
import {encodeS32Leb, encodeU32Leb, finalizeModule, readS32Leb, readU32Leb} from '../../../../src/core/vm/binary.js'
import {binaryen} from '../../../../src/core/vm/ir.js'
import {wasm, type WasmMemory} from '../../../../src/core/vm/wasm.js'
import {wat} from './fixtures.js'

function memoryAfterInstantiation(bytes: Uint8Array): Uint8Array {
  const instance = new wasm.Instance(new wasm.Module(bytes), {})
  return new Uint8Array((instance.exports.memory as WasmMemory).buffer)
}

function dataSegmentCount(bytes: Uint8Array): number {
  const module = binaryen.readBinary(bytes)
  try {
    return module.emitText().match(/\(data /g)?.length ?? 0
  } finally {
    module.dispose()
  }
}

describe('vm/binary', () => {
  it('round-trips unsigned and signed LEB128', () => {
    fc.assert(fc.property(fc.integer({min: 0, max: 0xffffffff}), (value) => {
      expect(readU32Leb(Uint8Array.from(encodeU32Leb(value)), 0).value).to.equal(value)
    }))
    fc.assert(fc.property(fc.integer({min: -0x80000000, max: 0x7fffffff}), (value) => {
      expect(readS32Leb(Uint8Array.from(encodeS32Leb(value)), 0).value).to.equal(value)
    }))
  })

  it('merges data segments into one without changing the initial memory, later segments winning', () => {
    const source = wat(`(module (memory (export "memory") 1)
      (data (i32.const 1000) "hello")
      (data (i32.const 2000) "world")
      (data (i32.const 1003) "LO!")
      (data (i32.const 65530) "end"))`)
    const finalized = finalizeModule(source, 16)
    expect(dataSegmentCount(source)).to.equal(4)
    expect(dataSegmentCount(finalized)).to.equal(1)
    expect(Buffer.compare(Buffer.from(memoryAfterInstantiation(finalized)), Buffer.from(memoryAfterInstantiation(source)))).to.equal(0)
    expect(new TextDecoder().decode(memoryAfterInstantiation(finalized).subarray(1000, 1006))).to.equal('helLO!')
  })

  it('caps the memory maximum, adding one when absent and keeping a smaller one', () => {
    const maximumOf = (bytes: Uint8Array) => {
      const module = binaryen.readBinary(bytes)
      try {
        return module.getMemoryInfo().max
      } finally {
        module.dispose()
      }
    }
    expect(maximumOf(finalizeModule(wat('(module (memory (export "memory") 1))'), 16))).to.equal(16)
    expect(maximumOf(finalizeModule(wat('(module (memory (export "memory") 1 4))'), 16))).to.equal(4)
    expect(maximumOf(finalizeModule(wat('(module (memory (export "memory") 1 400))'), 16))).to.equal(16)
  })
})
