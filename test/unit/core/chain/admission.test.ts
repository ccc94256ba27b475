import {expect} from 'chai'
import {WichainError} from '../../../../src/core/errors.js'
import {checkTxForBlock, type AdmissionRules} from '../../../../src/core/chain/admission.js'
import {createAccountsContract} from '../../../../src/core/chain/contracts/accounts.js'
import {executeBlock} from '../../../../src/core/chain/executor.js'
import {txFromDocument, txToDocument, type Tx} from '../../../../src/core/types/tx.js'
import {CHAIN_ID, createTestNetwork, createTestState, makeTx, roleLookup} from './fixtures.js'

function expectCode(action: () => unknown, code: string, message?: RegExp): void {
  expect(action).to.throw(WichainError).with.property('code', code)
  if (message !== undefined) expect(action).to.throw(message)
}

function withSignatureOf(tx: Tx, other: Tx): Tx {
  return txFromDocument({body: txToDocument(tx).body, signature: other.signature})
}

describe('core/chain/admission', () => {
  const network = createTestNetwork()
  const {env, commit} = createTestState(network, [createAccountsContract(network.genesis.accounts)])
  const rules: AdmissionRules = {chainId: CHAIN_ID, txExpiryWindow: 100, roleOf: roleLookup(network.genesis), readState: env.readState}
  const user = network.accounts.user
  const verifying = {verifySignature: true}
  const height = 20

  it('admits a valid tx from every registered role', () => {
    for (const signer of Object.values(network.accounts)) {
      expect(() => checkTxForBlock(rules, makeTx(signer, {expiry: 30}), height, verifying)).to.not.throw()
    }
  })

  it('refuses a tx for another chain with WRONG_CHAIN', () => {
    expectCode(() => checkTxForBlock(rules, makeTx(user, {chainId: 'injury-city', expiry: 30}), height, verifying), 'WRONG_CHAIN', /injury-city/)
  })

  it('refuses an expired tx with TX_EXPIRED; expiry at the height itself is fine', () => {
    expectCode(() => checkTxForBlock(rules, makeTx(user, {expiry: height - 1}), height, verifying), 'TX_EXPIRED', /expired at height 19/)
    expectCode(() => checkTxForBlock(rules, makeTx(user, {expiry: 0}), height, verifying), 'TX_EXPIRED')
    expect(() => checkTxForBlock(rules, makeTx(user, {expiry: height}), height, verifying)).to.not.throw()
  })

  it('refuses a tx that expires too far ahead with TX_EXPIRED', () => {
    expect(() => checkTxForBlock(rules, makeTx(user, {expiry: height + 100}), height, verifying)).to.not.throw()
    expectCode(() => checkTxForBlock(rules, makeTx(user, {expiry: height + 101}), height, verifying), 'TX_EXPIRED', /more than 100 blocks ahead/)
  })

  it('refuses an unknown sender with UNAUTHORIZED', () => {
    expectCode(() => checkTxForBlock(rules, makeTx(network.stranger, {expiry: 30}), height, verifying), 'UNAUTHORIZED', new RegExp(network.stranger.address))
    // The validator's node key is not an account either.
    expectCode(() => checkTxForBlock(rules, makeTx(network.validator, {expiry: 30}), height, verifying), 'UNAUTHORIZED')
  })

  it('refuses a bad signature with BAD_SIGNATURE unless signature checks are skipped', () => {
    const tx = makeTx(user, {expiry: 30})
    const forged = withSignatureOf(tx, makeTx(user, {expiry: 30}))
    expectCode(() => checkTxForBlock(rules, forged, height, verifying), 'BAD_SIGNATURE', new RegExp(forged.hashHex))
    expect(() => checkTxForBlock(rules, forged, height, {verifySignature: false})).to.not.throw()
    // A signature by another registered account over this body does not pass either.
    const byOther = txFromDocument({body: txToDocument(tx).body, signature: network.accounts.orgadmin.sign(new Uint8Array(0))})
    expectCode(() => checkTxForBlock(rules, byOther, height, verifying), 'BAD_SIGNATURE')
  })

  it('refuses a sender disabled in committed state with ACCOUNT_DISABLED until it is enabled again', () => {
    const admin = network.accounts.orgadmin
    const run = (method: string, args: unknown) => {
      const execution = executeBlock(env, [makeTx(admin, {contract: 'accounts', method, args})], {height, timestamp: 1})
      commit(execution)
      return execution.receipts[0]!
    }
    expect(run('disable', {address: user.address, reason: 'key leaked'}).status).to.equal('ok')
    expectCode(() => checkTxForBlock(rules, makeTx(user, {expiry: 30}), height, verifying), 'ACCOUNT_DISABLED', /disabled .* since height 20: key leaked/)
    expect(() => checkTxForBlock(rules, makeTx(network.accounts.auditor, {expiry: 30}), height, verifying)).to.not.throw()
    expect(run('enable', {address: user.address}).status).to.equal('ok')
    expect(() => checkTxForBlock(rules, makeTx(user, {expiry: 30}), height, verifying)).to.not.throw()
  })

  it('checks the cheap rules before the signature', () => {
    const forged = withSignatureOf(makeTx(network.stranger, {chainId: 'injury-city', expiry: 1}), makeTx(user))
    expectCode(() => checkTxForBlock(rules, forged, height, verifying), 'WRONG_CHAIN')
    const expired = withSignatureOf(makeTx(network.stranger, {expiry: 1}), makeTx(user))
    expectCode(() => checkTxForBlock(rules, expired, height, verifying), 'TX_EXPIRED')
    const stranger = withSignatureOf(makeTx(network.stranger, {expiry: 30}), makeTx(user))
    expectCode(() => checkTxForBlock(rules, stranger, height, verifying), 'UNAUTHORIZED')
  })
})
