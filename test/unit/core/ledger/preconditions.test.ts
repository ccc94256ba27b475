import {expect} from 'chai'
import {utf8} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {Ledger, type BlockCommit} from '../../../../src/core/ledger/index.js'
import {createBlock} from '../../../../src/core/types/block.js'
import {createReceipt} from '../../../../src/core/types/receipt.js'
import {certify, fixtureTx, genesisCommit, heightValue, nextCommit, parentOf} from './fixtures/chain.js'
import {commitChain, dumpDatabase} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

/** A commit the driver could only make by a bug: refused with an AssertionError (commit.ts). */
const ASSERTION = 'AssertionError'

/** Each case: a name, the expected error code (or ASSERTION), and a bad commit built from the good next one. */
type BadCase = readonly [name: string, code: string, build: (good: BlockCommit, tip: BlockCommit) => BlockCommit]

const CASES: readonly BadCase[] = [
  ['height skips one', ASSERTION, (_good, tip) => nextCommit({...parentOf(tip), height: tip.block.header.height + 1})],
  ['height already committed', ASSERTION, (_good, tip) => tip],
  ['prevHash is not the head hash', ASSERTION, (_good, tip) => nextCommit({...parentOf(tip), hash: sm3(utf8('elsewhere'))})],
  ['block is for another chain', ASSERTION, (good) => {
    const block = createBlock({...good.block.header, chainId: 'other-chain'}, good.block.txs)
    return {...good, block, certificate: certify(block)}
  }],
  ['block hash does not match its header', ASSERTION, (good) => ({...good, block: {...good.block, hash: new Uint8Array(32)}})],
  ['one receipt missing', ASSERTION, (good) => ({...good, receipts: good.receipts.slice(1)})],
  ['receipts out of tx order', ASSERTION, (good) => ({...good, receipts: [...good.receipts].reverse()})],
  ['receipt changed after the receiptRoot', ASSERTION, (good) => ({
    ...good,
    receipts: good.receipts.map((receipt, index) => (index === 0 ? createReceipt({...receipt, gasUsed: receipt.gasUsed + 1}) : receipt)),
  })],
  ['certificate missing above genesis', ASSERTION, (good) => ({...good, certificate: null})],
  ['certificate for another height', ASSERTION, (good) => ({...good, certificate: {...good.certificate!, height: 7}})],
  ['certificate for another hash', ASSERTION, (good) => ({...good, certificate: {...good.certificate!, blockHash: sm3(utf8('x'))}})],
  ['state writes do not match the stateRoot', ASSERTION, (good) => ({...good, stateWrites: good.stateWrites.slice(1)})],
  ['state key written twice', ASSERTION, (good) => ({...good, stateWrites: [...good.stateWrites, good.stateWrites[0]!]})],
  ['state key over 1 KiB', 'PAYLOAD_TOO_LARGE', (good) => ({...good, stateWrites: [{key: new Uint8Array(1025), value: utf8('x')}]})],
  ['state value over 1 MiB', 'PAYLOAD_TOO_LARGE', (good) => ({...good, stateWrites: [{key: utf8('k'), value: new Uint8Array(1024 * 1024 + 1)}]})],
  ['tx already committed in an earlier block', 'DUPLICATE_TX', (_good, tip) => nextCommit(parentOf(tip), {txs: [fixtureTx(1, 0)]})],
  ['tx twice in one block', 'DUPLICATE_TX', (_good, tip) => nextCommit(parentOf(tip), {txs: [fixtureTx(9, 0), fixtureTx(9, 0)], stateWrites: []})],
  ['bad meta name in the batch', 'INVALID_ARGUMENT', (good) => ({...good, meta: [{name: '../x', value: utf8('x')}]})],
]

describe('core/ledger: commit preconditions', function () {
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  it('refuses every bad commit and writes nothing', async function () {
    const directory = temp.create()
    let ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, 2)
    const tip = commits[2]!
    const good = nextCommit(parentOf(tip))
    await ledger.close()
    const before = await dumpDatabase(directory)

    ledger = await Ledger.open(directory)
    try {
      for (const [name, code, build] of CASES) {
        const error = await ledger.commitBlock(build(good, tip)).then(() => expect.fail(`${name}: the commit should be refused`), (failure: Error & {code?: string}) => failure)
        expect(code === ASSERTION ? error.name : error.code, name).to.equal(code)
        expect(ledger.head()!.height, name).to.equal(2)
      }
      for (const tx of good.block.txs) expect(await ledger.hasTx(tx.hash)).to.equal(false)
      for (const tx of good.block.txs) expect(ledger.hasTxSync(tx.hash)).to.equal(false)
      expect(ledger.getState(utf8('height'))).to.deep.equal(heightValue(2))
    } finally {
      await ledger.close()
    }
    expect(await dumpDatabase(directory)).to.deep.equal(before)

    // The refusals left the ledger usable: the good commit goes through.
    ledger = await Ledger.open(directory)
    try {
      await ledger.commitBlock(good)
      expect(ledger.head()!.height).to.equal(3)
    } finally {
      await ledger.close()
    }
  })

  it('accepts only a genesis at height 0 with a zero prevHash', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      const genesis = genesisCommit()
      const notGenesis = nextCommit(parentOf(genesis))
      await ledger.commitBlock(notGenesis).then(() => expect.fail('not a genesis'), (error: Error) => expect(error.name).to.equal(ASSERTION))
      const block = createBlock({...genesis.block.header, prevHash: sm3(utf8('x'))}, [])
      await ledger.commitBlock({...genesis, block}).then(() => expect.fail('a genesis with a prevHash'), (error: Error) => expect(error.name).to.equal(ASSERTION))
      expect(ledger.head()).to.equal(undefined)
      await ledger.commitBlock(genesis)
      expect(ledger.head()!.height).to.equal(0)
    } finally {
      await ledger.close()
    }
  })
})
