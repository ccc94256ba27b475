import {expect} from 'chai'
import {blockGasMaxOf, DEFAULT_BLOCK_GAS_MAX, DEFAULT_TX_GAS_MAX, genesisDigest, parseGenesis, TX_GAS_MAX_RANGE, txGasMaxOf} from '../../../../../src/core/chain/genesis.js'
import {toHex} from '../../../../../src/core/bytes.js'
import {WichainError} from '../../../../../src/core/errors.js'
import {createTestNetwork} from '../fixtures.js'

describe('core/chain/genesis: txGasMax (contract gas limit)', () => {
  const base = createTestNetwork().document as Record<string, unknown> & {params: Record<string, unknown>}
  const withParams = (params: Record<string, unknown>) => ({...base, params})

  it('is optional: a genesis without it parses, gets the default, and keeps its digest', () => {
    const {txGasMax: _dropped, ...older} = base.params
    const genesis = parseGenesis(withParams(older))
    expect(genesis.params).to.not.have.property('txGasMax')
    expect(txGasMaxOf(genesis.params)).to.equal(DEFAULT_TX_GAS_MAX)
    expect(toHex(genesisDigest(genesis))).to.equal(toHex(genesisDigest(parseGenesis(JSON.parse(JSON.stringify(genesis))))))
  })

  it('takes a value in range and changes the digest with it', () => {
    const custom = parseGenesis(withParams({...base.params, txGasMax: 2_000_000}))
    expect(txGasMaxOf(custom.params)).to.equal(2_000_000)
    expect(toHex(genesisDigest(custom))).to.not.equal(toHex(genesisDigest(parseGenesis(base))))
  })

  it('refuses values out of range or not integers', () => {
    for (const bad of [TX_GAS_MAX_RANGE.min - 1, TX_GAS_MAX_RANGE.max + 1, 1.5, '1000000', null]) {
      expect(() => parseGenesis(withParams({...base.params, txGasMax: bad}))).to.throw(WichainError, /params\.txGasMax/)
    }
  })
})

describe('core/chain/genesis: blockGasMax (block gas limit)', () => {
  const base = createTestNetwork().document as Record<string, unknown> & {params: Record<string, unknown>}
  const withParams = (params: Record<string, unknown>) => ({...base, params})

  it('is optional: absent, the default applies and the genesis keeps its digest', () => {
    const genesis = parseGenesis(withParams({...base.params}))
    expect(genesis.params).to.not.have.property('blockGasMax')
    expect(blockGasMaxOf(genesis.params)).to.equal(DEFAULT_BLOCK_GAS_MAX)
    expect(toHex(genesisDigest(genesis))).to.equal(toHex(genesisDigest(parseGenesis(JSON.parse(JSON.stringify(genesis))))))
  })

  it('takes a value of at least txGasMax and refuses one below it', () => {
    const custom = parseGenesis(withParams({...base.params, txGasMax: 2_000_000, blockGasMax: 4_000_000}))
    expect(blockGasMaxOf(custom.params)).to.equal(4_000_000)
    expect(() => parseGenesis(withParams({...base.params, txGasMax: 2_000_000, blockGasMax: 1_000_000}))).to.throw(WichainError, /below txGasMax/)
    expect(() => parseGenesis(withParams({...base.params, blockGasMax: 1.5}))).to.throw(WichainError, /params\.blockGasMax/)
  })
})
