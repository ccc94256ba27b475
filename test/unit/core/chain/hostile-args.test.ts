/**
 * Regressions of an attacker's test of a 4-node PBFT chain: args nested thousands deep overflowed
 * the JS stack on some nodes' paths only (receipt roots split, heights froze), and args with a key
 * twice read one way here and another way elsewhere. Such args are now refused at admission and
 * in proposed blocks, and an engine error during execution is a fault, never a receipt.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {checkTxForBlock} from '../../../../src/core/chain/admission.js'
import {decodeCanonical} from '../../../../src/core/codec/canonical.js'
import {Chain} from '../../../../src/core/chain/chain.js'
import type {SystemContract} from '../../../../src/core/chain/contracts/contract.js'
import {executeBlock} from '../../../../src/core/chain/executor.js'
import {ExecutionFault} from '../../../../src/core/chain/faults.js'
import {parseGenesis} from '../../../../src/core/chain/genesis.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {addressOf, createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createTestNetwork, makeTx, roleLookup} from './fixtures.js'
import {chainContracts, proposalSide, proposeAnyway} from './proposal-fixture.js'
import {rawTx} from './raw-tx.js'

const HASH = 'ab'.repeat(32)
/** evidence.put args whose meta is `depth` arrays deep (depth 4,112 is the attacker's 8 KB). */
const nestedArgs = (depth: number, key = `deep-${depth}`) => `{"key":"${key}","hash":"${HASH}","meta":${'['.repeat(depth)}${']'.repeat(depth)}}`
const DUPLICATES = [
  `{"key":"a","key":"b","hash":"${HASH}"}`,
  `{"key":"same","key":"same","hash":"${HASH}"}`,
  `{"key":"nested","hash":"${HASH}","meta":{"x":1,"y":{"z":1,"z":2}}}`,
  `{"key":"in-array","hash":"${HASH}","meta":[{"a":1},{"a":1,"a":1}]}`,
  `{"key":"escaped","hash":"${HASH}","meta":{"k":1,"\\u006b":2}}`,
]

function thrownBy(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}

/** CBOR of arrays nested 500 deep: decoding it recurses, so it overflows on an almost full stack. */
const NESTED_CBOR = Uint8Array.from([...new Array<number>(500).fill(0x81), 0x00])

function decodeWhereTheStackEnds(depth: number): unknown {
  try {
    return decodeWhereTheStackEnds(depth + 1)
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    return decodeCanonical(NESTED_CBOR, 'record')
  }
}

/** A contract whose methods fail the ways host code can: none of them is the tx's fault. */
function faultyContract(): SystemContract {
  const recurse = (n: number): number => recurse(n + 1) + 1
  return {
    name: 'faulty',
    description: 'test contract',
    methods: {
      overflow: {readOnly: false, run: () => recurse(0)},
      typeError: {readOnly: false, run: (_state, args) => (args as {missing: {deeper: number}}).missing.deeper},
      internal: {readOnly: false, run: () => { throw new WichainError('INTERNAL', 'broken invariant') }},
      // Runs the stack out, then decodes a state-like record there: the codec reports the
      // overflow as DECODE_ERROR, which must still count as the engine's failure, not the tx's.
      wrappedOverflow: {readOnly: false, run: () => decodeWhereTheStackEnds(0)},
      refuse: {readOnly: false, run: () => { throw new WichainError('CONTRACT_ERROR', 'deliberate') }},
    },
  }
}

describe('core/chain hostile tx args', () => {
  const network = createTestNetwork()
  const user = network.accounts.user
  const rules = {chainId: network.genesis.chainId, txExpiryWindow: 100, roleOf: roleLookup(network.genesis), readState: () => undefined}
  const admit = (args: string, contract = 'evidence') => checkTxForBlock(rules, rawTx(user, args, {contract}), 1, {verifySignature: true})

  describe('admission', () => {
    it('refuses evidence.put with meta nested 4,112 and 5,000 deep: INVALID_TX naming TX_ARGS_DEPTH_MAX', () => {
      expect(nestedArgs(4112).length).to.be.within(8 * 1024, 8 * 1024 + 200)
      for (const depth of [4112, 5000, 33]) {
        expect(() => admit(nestedArgs(depth))).to.throw(WichainError, /TX_ARGS_DEPTH_MAX/).with.property('code', 'INVALID_TX')
      }
      expect(() => admit(nestedArgs(31))).to.not.throw()
    })

    it('refuses args with a key twice, at any depth', () => {
      for (const args of DUPLICATES) expect(() => admit(args), args).to.throw(WichainError, /twice/).with.property('code', 'INVALID_TX')
    })

    it('applies the same rules to txs for a user (WASM) contract', () => {
      expect(() => admit('{"n":1,"n":2}', 'counter')).to.throw(WichainError, /twice/).with.property('code', 'INVALID_TX')
      expect(() => admit('{"n":9007199254740993}', 'counter')).to.throw(WichainError, /2\^53/).with.property('code', 'INVALID_TX')
    })

    it('a running chain refuses them on submit, and takes the same args once well-formed', async () => {
      const nodeKey = generateKeyPair()
      const userKey = generateKeyPair()
      const signer = createSigner(userKey)
      const genesis = parseGenesis({
        version: 1, chainId: network.genesis.chainId, consensus: 'solo', timestamp: 1_700_000_000_000,
        validators: [{name: 'node0', publicKey: toHex(nodeKey.publicKey)}],
        accounts: [{name: 'user', role: 'user', publicKey: toHex(userKey.publicKey), address: addressOf(userKey.publicKey)}],
        params: {blockTxsMax: 3, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 10},
      })
      const directory = mkdtempSync(join(tmpdir(), 'wichain-hostile-'))
      const chain = await Chain.open({directory, genesis, nodeKey, logger: nullLogger, clock: () => 1_700_000_001_000, createEngine: (context) => createSoloEngine(context)})
      try {
        for (const args of [nestedArgs(4112), nestedArgs(5000), DUPLICATES[0]!]) {
          const error = await chain.submitTx(rawTx(signer, args).bytes).then(() => undefined, (caught: unknown) => caught)
          expect(error, args.slice(0, 40)).to.be.instanceOf(WichainError).with.property('code', 'INVALID_TX')
        }
        expect(await chain.submitTx(rawTx(signer, nestedArgs(10)).bytes)).to.match(/^[0-9a-f]{64}$/)
      } finally {
        await chain.close()
        rmSync(directory, {recursive: true, force: true})
      }
    })
  })

  describe('proposed blocks', () => {
    it('a validator refuses a block carrying such a tx (no split: the block is invalid everywhere)', () => {
      const good = makeTx(user, {args: {key: 'good', hash: HASH}})
      for (const args of [DUPLICATES[0]!, DUPLICATES[2]!, nestedArgs(40), nestedArgs(4112)]) {
        const {payload} = proposeAnyway(proposalSide(network), [good, rawTx(user, args)])
        expect(proposalSide(network).proposals.validate(1, payload), args.slice(0, 40)).to.equal(false)
      }
      // The same block without it is fine.
      expect(proposalSide(network).proposals.validate(1, proposeAnyway(proposalSide(network), [good]).payload)).to.equal(true)
    })

    it('a proposer leaves such a tx out of its block and drops it from its mempool', () => {
      const proposer = proposalSide(network)
      const good = makeTx(user, {args: {key: 'kept', hash: HASH}})
      const bad = rawTx(user, DUPLICATES[1]!)
      proposer.mempool.add(bad)
      proposer.mempool.add(good)
      const built = proposer.proposals.build(1)!
      expect(built.block.txs.map((tx) => tx.hashHex)).to.deep.equal([good.hashHex])
      expect(proposer.mempool.has(bad.hashHex)).to.equal(false)
      expect(proposalSide(network).proposals.validate(1, built.payload)).to.equal(true)
    })
  })

  describe('execution faults', () => {
    const contracts = chainContracts(network, [faultyContract()])
    const call = (method: string) => makeTx(user, {contract: 'faulty', method, args: {}})
    const block = {height: 3, timestamp: 1_700_000_000_000}

    it('an engine or internal error in a system contract leaves executeBlock as an ExecutionFault, not a receipt', () => {
      const causes: Record<string, string> = {overflow: 'RangeError', typeError: 'TypeError', internal: 'WichainError', wrappedOverflow: 'WichainError'}
      for (const [method, cause] of Object.entries(causes)) {
        const tx = call(method)
        const env = proposalSide(network, contracts).state.env
        const fault = thrownBy(() => executeBlock(env, [makeTx(user, {args: {key: `before-${method}`, hash: HASH}}), tx], block))
        expect(fault, method).to.be.instanceOf(ExecutionFault)
        expect(fault).to.include({txHash: tx.hashHex, height: 3})
        expect(((fault as ExecutionFault).cause as Error).name, method).to.equal(cause)
      }
      const wrapped = thrownBy(() => executeBlock(proposalSide(network, contracts).state.env, [call('wrappedOverflow')], block)) as ExecutionFault
      expect(wrapped.cause).to.be.instanceOf(WichainError).with.property('code', 'DECODE_ERROR')
      expect(wrapped.message).to.match(/Maximum call stack size exceeded/)
    })

    it('deliberate failures still become failed receipts', () => {
      const execution = executeBlock(proposalSide(network, contracts).state.env, [call('refuse'), call('nothing')], block)
      expect(execution.receipts.map((receipt) => receipt.error?.code)).to.deep.equal(['CONTRACT_ERROR', 'UNKNOWN_CONTRACT'])
    })

    it('proposal validation and block building let the fault through instead of calling the block invalid', () => {
      const tx = call('overflow')
      const proposer = proposalSide(network, contracts)
      proposer.mempool.add(tx)
      expect(() => proposer.proposals.build(1)).to.throw(ExecutionFault)
      const validator = proposalSide(network, contracts)
      // A proposer with other code could send the block; this validator faults while executing it.
      const {payload} = proposeAnyway(proposalSide(network), [tx])
      expect(() => validator.proposals.validate(1, payload)).to.throw(ExecutionFault)
    })
  })
})
