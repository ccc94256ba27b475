/**
 * Property: one tx can never split or halt the chain. For hostile tx args (deep nesting, huge
 * strings, lone surrogates, duplicate keys, numbers at the edges of a double) sent as real signed
 * txs to the system contracts and to a user contract, either admission refuses the tx with a clear
 * error code (and a validator refuses any block a proposer puts it in), or a block built by a
 * proposer (Proposals.build) is accepted by a validator (Proposals.validate) that executes it at a
 * different stack depth — the same receipt root — and no receipt records an internal error.
 */
import {expect} from 'chai'
import fc from 'fast-check'
import {checkTxForBlock} from '../../../../src/core/chain/admission.js'
import {executeBlock} from '../../../../src/core/chain/executor.js'
import type {Signer} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {receiptRootOf} from '../../../../src/core/types/block.js'
import type {Tx} from '../../../../src/core/types/tx.js'
import {createTestNetwork, roleLookup} from './fixtures.js'
import {BLOCK_TIME, proposalSide, proposeAnyway} from './proposal-fixture.js'
import {rawTx} from './raw-tx.js'

const network = createTestNetwork()
const {accounts} = network
const HASH = 'ab'.repeat(32)
/** Codes a refused tx may carry: each names what is wrong with it. */
const REFUSALS = ['INVALID_TX', 'PAYLOAD_TOO_LARGE', 'DECODE_ERROR', 'INVALID_ARGUMENT']

interface Target {
  readonly contract: string
  readonly method: string
  readonly signer: Signer
}
const TARGETS: readonly Target[] = [
  {contract: 'evidence', method: 'put', signer: accounts.user},
  {contract: 'evidence', method: 'get', signer: accounts.user},
  {contract: 'accounts', method: 'disable', signer: accounts.orgadmin},
  {contract: 'nodes', method: 'add', signer: accounts.orgadmin},
  {contract: 'contracts', method: 'deploy', signer: accounts.devops},
  {contract: 'contracts', method: 'list', signer: accounts.devops},
  {contract: 'counter', method: 'inc', signer: accounts.user},
]

/** Run `action` with `frames` extra frames on the stack (another node's deeper call path). */
function atDepth<T>(frames: number, action: () => T): T {
  return frames <= 0 ? action() : atDepth(frames - 1, action)
}

// ── Hostile JSON text ──────────────────────────────────────────────────────────────────────────

const edgeNumber = fc.oneof(
  fc.constantFrom('-0', '-0.0', '0', '1e308', '1e400', '-1e400', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740993',
    '0.30000000000000004', '0.1', '1e-400', '5e-324', '1E+2', '2.5e-3', '123456789012345678', '1.00000000000000000001', '1e21'),
  fc.double().filter(Number.isFinite).map(String),
  fc.bigInt({min: -(2n ** 64n), max: 2n ** 64n}).map(String),
)
/** Strings of any UTF-16 units: escaped by JSON.stringify (lone surrogates as \udXXX) or raw. */
const oddString = fc.oneof(
  fc.string({unit: 'binary', maxLength: 24}).map((text) => JSON.stringify(text)),
  fc.constantFrom('"\ud800"', '"\udfff\ud800"', '"\\ud800"', '"\\udc00x"', '"😀"', '"\\ud83d\\ude00"', '"\u0000"', '"\ufeff"', '"\u2028"'),
)
/** Nesting around the limit, and around where JSON.stringify exhausts a JS stack (a few thousand). */
const depth = fc.oneof(fc.integer({min: 1, max: 40}), fc.integer({min: 1_500, max: 6_000}))
const deep = fc.tuple(depth, fc.constantFrom('[', '{"a":')).map(([depth, open]) => `${open.repeat(depth)}${open === '[' ? '' : '1'}${(open === '[' ? ']' : '}').repeat(depth)}`)
const huge = fc.integer({min: 0, max: 70_000}).map((length) => JSON.stringify('x'.repeat(length)))
const plain = fc.jsonValue({maxDepth: 4}).map((value) => JSON.stringify(value))
const duplicated = fc.tuple(fc.constantFrom('a', 'key', 'hash'), plain, plain).map(([key, first, second]) => `{"${key}":${first},"${key}":${second}}`)
const value: fc.Arbitrary<string> = fc.oneof(plain, edgeNumber, oddString, {weight: 3, arbitrary: deep}, huge, duplicated)

/** Args text for a target: mostly an object with the fields the target reads, sometimes not. */
const argsText = fc.oneof(
  {weight: 6, arbitrary: fc.tuple(fc.integer({min: 0, max: 1_000_000}), value, fc.boolean()).map(([id, meta, twice]) =>
    `{"key":"k-${id}","hash":"${HASH}","meta":${meta}${twice ? `,"key":"k-${id}-again"` : ''}}`)},
  {weight: 2, arbitrary: fc.dictionary(fc.constantFrom('name', 'code', 'address', 'publicKey', 'reason', 'limit', 'key', 'x'), value, {maxKeys: 4})
    .map((entries) => `{${Object.entries(entries).map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`)},
  {weight: 1, arbitrary: value},
  {weight: 1, arbitrary: fc.tuple(fc.constantFrom('\ufeff', ' ', '\n'), plain).map(([prefix, text]) => `${prefix}{"key":"bom","hash":"${HASH}","meta":${text}}`)},
)

describe('core/chain determinism (property)', function () {
  this.timeout(60_000)
  const rules = {chainId: network.genesis.chainId, txExpiryWindow: network.genesis.params.txExpiryWindow, roleOf: roleLookup(network.genesis), readState: () => undefined}

  it('a hostile tx is refused with a clear code, or proposer and validator agree on its block', () => {
    const seen = {notBuilt: 0, refused: 0, admitted: 0}
    fc.assert(
      fc.property(fc.oneof({weight: 6, arbitrary: fc.constant(TARGETS[0]!)}, fc.constantFrom(...TARGETS)), argsText, fc.integer({min: 0, max: 4_000}), (target, args, frames) => {
        let tx: Tx
        try {
          tx = rawTx(target.signer, args, {contract: target.contract, method: target.method})
        } catch (error) {
          // Not even a tx a node could decode.
          expect(error).to.be.instanceOf(WichainError)
          expect(REFUSALS).to.include((error as WichainError).code)
          seen.notBuilt++
          return
        }
        try {
          checkTxForBlock(rules, tx, 1, {verifySignature: true})
        } catch (error) {
          expect(error, args.slice(0, 80)).to.be.instanceOf(WichainError)
          expect(REFUSALS).to.include((error as WichainError).code)
          seen.refused++
          // A proposer that puts it into a block anyway gets the block refused, on any stack.
          const {payload} = proposeAnyway(proposalSide(network), [tx])
          expect(atDepth(frames, () => proposalSide(network).proposals.validate(1, payload))).to.equal(false)
          return
        }
        seen.admitted++
        const proposer = proposalSide(network)
        proposer.mempool.add(tx)
        const built = proposer.proposals.build(1)!
        expect(built.block.txs.map((included) => included.hashHex)).to.deep.equal([tx.hashHex])
        const validator = proposalSide(network)
        expect(atDepth(frames, () => validator.proposals.validate(1, built.payload)), args.slice(0, 80)).to.equal(true)
        // Executed again on a deeper stack still, the receipts are the same, none of them INTERNAL.
        const again = atDepth(frames + 2_000, () => executeBlock(proposalSide(network).state.env, [tx], {height: 1, timestamp: BLOCK_TIME}))
        expect(receiptRootOf(again.receipts)).to.deep.equal(built.block.header.receiptRoot)
        expect(again.receipts[0]!.error?.code).to.not.equal('INTERNAL')
      }),
      {numRuns: 150},
    )
    // The generators reach every branch (a property that only ever refused would prove little).
    expect(seen.admitted, JSON.stringify(seen)).to.be.greaterThan(10)
    expect(seen.refused, JSON.stringify(seen)).to.be.greaterThan(10)
    expect(seen.notBuilt, JSON.stringify(seen)).to.be.greaterThan(0)
  })
})
