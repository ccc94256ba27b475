import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {addressOf, createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {DEFAULT_PARAMS, genesisBlock, genesisDigest, genesisDocument as documentOf, parseGenesis} from '../../../../src/core/chain/genesis.js'
import {EMPTY_ROOT} from '../../../../src/core/types/merkle.js'
import {CHAIN_ID, createTestNetwork, genesisDocument, GENESIS_TIMESTAMP} from './fixtures.js'

type Document = Record<string, unknown> & {validators: Array<Record<string, unknown>>; accounts: Array<Record<string, unknown>>; params: Record<string, unknown>}

function expectRefused(document: unknown, message: RegExp, code = 'INVALID_ARGUMENT'): void {
  expect(() => parseGenesis(document)).to.throw(WichainError, message).with.property('code', code)
}

describe('core/chain/genesis', () => {
  const network = createTestNetwork()
  const base = network.document as Document
  const copy = (): Document => structuredClone(base)

  describe('parseGenesis', () => {
    it('accepts a valid document and returns a frozen, normalized genesis', () => {
      const genesis = parseGenesis(base)
      expect(genesis.chainId).to.equal(CHAIN_ID)
      expect(genesis.consensus).to.equal('solo')
      expect(genesis.timestamp).to.equal(GENESIS_TIMESTAMP)
      expect(genesis.validators).to.deep.equal([{name: 'node0', publicKey: toHex(network.validator.publicKey)}])
      // A version 1 document: one organisation holds every account, each with its one role.
      expect(genesis.orgs).to.deep.equal([{id: 'org1', name: 'org1', encryptionKey: ''}])
      expect(genesis.accounts.map((account) => account.roles)).to.deep.equal([['orgadmin'], ['auditor'], ['user'], ['devops']])
      expect(genesis.accounts[2]!.address).to.equal(network.accounts.user.address)
      expect(genesis.params).to.deep.equal(DEFAULT_PARAMS)
      for (const part of [genesis, genesis.params, genesis.validators[0], genesis.accounts[0]]) expect(Object.isFrozen(part)).to.equal(true)
    })

    it('normalizes hex keys (0x prefix, upper case) to one form with one hash', () => {
      const document = copy()
      document.validators[0]!.publicKey = `0x${String(document.validators[0]!.publicKey).toUpperCase()}`
      document.accounts[0]!.publicKey = String(document.accounts[0]!.publicKey).toUpperCase()
      const genesis = parseGenesis(document)
      expect(genesis.validators[0]!.publicKey).to.equal(toHex(network.validator.publicKey))
      expect(genesisBlock(genesis).hashHex).to.equal(genesisBlock(parseGenesis(base)).hashHex)
    })

    it('survives a JSON round trip (the genesis file) unchanged', () => {
      const genesis = parseGenesis(base)
      const reparsed = parseGenesis(JSON.parse(JSON.stringify(genesis)))
      expect(reparsed).to.deep.equal(genesis)
      expect(genesisBlock(reparsed).hashHex).to.equal(genesisBlock(genesis).hashHex)
    })

    it('accepts pbft with several validators and an empty account list', () => {
      const validators = [network.validator, createSigner(generateKeyPair()), createSigner(generateKeyPair()), createSigner(generateKeyPair())]
      const document = genesisDocument(validators, network.accounts, 'pbft')
      expect(parseGenesis(document).validators).to.have.length(4)
      expect(parseGenesis({...document, accounts: []}).accounts).to.deep.equal([])
    })

    it('refuses documents that are not objects or have another version', () => {
      for (const junk of [null, undefined, [], 'genesis', 1]) expectRefused(junk, /not an object/)
      expectRefused({...base, version: 3}, /unsupported version/)
      expectRefused({...base, version: '1'}, /unsupported version/)
    })

    it('refuses a bad chain id', () => {
      for (const chainId of ['', 'Injury', '-x', '_x', 'a b', 'a.b', 'a'.repeat(65), 5, null]) {
        expectRefused({...base, chainId}, /bad chainId/)
      }
      expect(parseGenesis({...base, chainId: 'a'.repeat(64)}).chainId).to.have.length(64)
    })

    it('refuses an unknown consensus kind and a bad timestamp', () => {
      for (const consensus of ['poa', 'SOLO', '', null]) expectRefused({...base, consensus}, /bad consensus kind/)
      for (const timestamp of [-1, 1.5, '1', null, Number.MAX_SAFE_INTEGER + 2]) expectRefused({...base, timestamp}, /bad timestamp/)
    })

    it('refuses malformed validator lists', () => {
      expectRefused({...base, validators: []}, /validators must be a list of 1\.\.100/)
      expectRefused({...base, validators: 'node0'}, /validators must be a list/)
      expectRefused({...base, consensus: 'pbft', validators: new Array(101).fill(base.validators[0])}, /validators must be a list/)
      expectRefused({...base, validators: [null]}, /validators\[0\] malformed/)
      expectRefused({...base, validators: [{publicKey: base.validators[0]!.publicKey}]}, /validators\[0\] malformed/)
      expectRefused({...base, validators: [{...base.validators[0], name: ''}]}, /validators\[0\] malformed/)
      expectRefused({...base, validators: [{...base.validators[0], name: 'n'.repeat(65)}]}, /validators\[0\] malformed/)
    })

    it('refuses bad validator keys', () => {
      const key = String(base.validators[0]!.publicKey)
      expectRefused({...base, validators: [{name: 'n', publicKey: 'zz'}]}, /not valid hex/)
      expectRefused({...base, validators: [{name: 'n', publicKey: 42}]}, /must be a hex public key/)
      expectRefused({...base, validators: [{name: 'n', publicKey: key.slice(0, -2)}]}, /65 bytes/, 'KEY_ERROR')
      expectRefused({...base, validators: [{name: 'n', publicKey: `04${'11'.repeat(64)}`}]}, /not a point on the curve/, 'KEY_ERROR')
    })

    it('refuses duplicate validators, even under other names', () => {
      const document = {...base, consensus: 'pbft', validators: [base.validators[0], {...base.validators[0], name: 'node1'}]}
      expectRefused(document, /duplicate validator key/)
    })

    it('refuses solo consensus with two validators', () => {
      const second = {name: 'node1', publicKey: toHex(createSigner(generateKeyPair()).publicKey)}
      expectRefused({...base, validators: [base.validators[0], second]}, /solo consensus needs exactly one validator/)
      expect(parseGenesis({...base, consensus: 'raft', validators: [base.validators[0], second]}).validators).to.have.length(2)
    })

    it('refuses malformed accounts', () => {
      const account = base.accounts[0]!
      expectRefused({...base, accounts: 'all'}, /accounts must be a list/)
      expectRefused({...base, accounts: [null]}, /accounts\[0\] malformed/)
      expectRefused({...base, accounts: [{...account, name: 7}]}, /accounts\[0\] malformed/)
      expectRefused({...base, accounts: [{...account, name: ''}]}, /accounts\[0\] malformed/)
      for (const role of ['admin', 'ORGADMIN', '', null]) {
        expectRefused({...base, accounts: [{...account, role}]}, /accounts\[0\]\.role must be one of orgadmin, auditor, user, devops/)
      }
    })

    it('refuses an account whose address does not match its key', () => {
      const [first, second] = base.accounts
      expectRefused({...base, accounts: [{...first, address: second!.address}]}, /accounts\[0\]\.address does not match its public key/)
      expectRefused({...base, accounts: [{...first, address: String(first!.address).toUpperCase()}]}, /address does not match/)
      const {address: _address, ...withoutAddress} = first!
      expectRefused({...base, accounts: [withoutAddress]}, /address does not match/)
    })

    it('refuses the same account key twice (one role per account)', () => {
      const account = base.accounts[2]!
      expectRefused({...base, accounts: [...base.accounts, {...account, name: 'again', role: 'orgadmin'}]}, /duplicate account key/)
    })

    it('refuses params that are missing or out of range', () => {
      expectRefused({...base, params: undefined}, /params missing/)
      expectRefused({...base, params: []}, /params missing/)
      const limits: Array<[string, number, number]> = [
        ['blockTxsMax', 1, 10_000], ['blockIntervalMs', 1, 60_000], ['txExpiryWindow', 1, 1_000_000], ['mempoolTxsMax', 1, 1_000_000],
      ]
      for (const [name, min, max] of limits) {
        for (const value of [min - 1, max + 1, 1.5, String(min), null]) {
          expectRefused({...base, params: {...base.params, [name]: value}}, new RegExp(`params\\.${name} must be an integer in ${min}\\.\\.${max}`))
        }
        expect(parseGenesis({...base, params: {...base.params, [name]: max}}).params).to.have.property(name, max)
        expect(parseGenesis({...base, params: {...base.params, [name]: min}}).params).to.have.property(name, min)
      }
      const {blockTxsMax: _blockTxsMax, ...withoutOne} = base.params
      expectRefused({...base, params: withoutOne}, /params\.blockTxsMax/)
    })
  })

  describe('genesisBlock', () => {
    const genesis = parseGenesis(base)

    it('is height 0 with no txs, and its stateRoot is the genesis digest', () => {
      const block = genesisBlock(genesis)
      expect(block.header.height).to.equal(0)
      expect(block.header.txCount).to.equal(0)
      expect(block.txs).to.deep.equal([])
      expect(block.header.chainId).to.equal(CHAIN_ID)
      expect(block.header.timestamp).to.equal(GENESIS_TIMESTAMP)
      expect(toHex(block.header.prevHash)).to.equal('00'.repeat(32))
      expect(toHex(block.header.txRoot)).to.equal(toHex(EMPTY_ROOT))
      expect(toHex(block.header.stateRoot)).to.equal(toHex(genesisDigest(genesis)))
      expect(toHex(genesisDigest(genesis))).to.equal(toHex(sm3(encodeCanonical(documentOf(genesis)))))
    })

    it('has a deterministic hash', () => {
      expect(genesisBlock(genesis).hashHex).to.equal(genesisBlock(parseGenesis(copy())).hashHex)
      expect(genesisBlock(genesis).hashHex).to.match(/^[0-9a-f]{64}$/)
    })

    it('changes hash with any genesis field', () => {
      const other = createSigner(generateKeyPair())
      const changes: Array<(document: Document) => void> = [
        (d) => void (d.chainId = 'injury-city'),
        (d) => void (d.consensus = 'raft'),
        (d) => void (d.timestamp = GENESIS_TIMESTAMP + 1),
        (d) => void (d.validators[0]!.name = 'node-a'),
        (d) => void (d.validators[0]!.publicKey = toHex(other.publicKey)),
        (d) => void (d.accounts[0]!.name = 'renamed'),
        (d) => void (d.accounts[1]!.role = 'user'),
        (d) => void (d.accounts[1] = {name: 'x', role: 'auditor', publicKey: toHex(other.publicKey), address: addressOf(other.publicKey)}),
        (d) => void d.accounts.pop(),
        (d) => void d.accounts.reverse(),
        (d) => void (d.params.blockTxsMax = 1999),
        (d) => void (d.params.blockIntervalMs = 101),
        (d) => void (d.params.txExpiryWindow = 999),
        (d) => void (d.params.mempoolTxsMax = 49_999),
      ]
      const hashes = new Set([genesisBlock(genesis).hashHex])
      for (const change of changes) {
        const document = copy()
        change(document)
        hashes.add(genesisBlock(parseGenesis(document)).hashHex)
      }
      expect(hashes.size).to.equal(changes.length + 1)
    })
  })
})
