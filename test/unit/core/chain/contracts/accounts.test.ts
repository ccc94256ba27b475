import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {ACCOUNTS_LIMITS, createAccountsContract, type AccountStatus} from '../../../../../src/core/chain/contracts/accounts.js'
import {evidenceContract} from '../../../../../src/core/chain/contracts/evidence.js'
import {executeBlock, query} from '../../../../../src/core/chain/executor.js'
import {parseGenesis} from '../../../../../src/core/chain/genesis.js'
import {addressOf, createSigner, generateKeyPair, type Signer} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import type {Tx} from '../../../../../src/core/types/tx.js'
import {createTestNetwork, createTestState, makeTx} from '../fixtures.js'

function expectFailed(receipt: Receipt | undefined, code: string, message?: RegExp): void {
  expect(receipt?.status).to.equal('failed')
  expect(receipt?.error?.code).to.equal(code)
  if (message !== undefined) expect(receipt?.error?.message).to.match(message)
}

describe('core/chain/contracts/accounts', () => {
  // The test network plus a second org admin, so the lock-out rule can be seen both ways.
  const network = createTestNetwork()
  const secondAdmin = createSigner(generateKeyPair())
  const document = {
    ...network.document,
    accounts: [...(network.document.accounts as object[]), {name: 'orgadmin-2', role: 'orgadmin', publicKey: toHex(secondAdmin.publicKey), address: addressOf(secondAdmin.publicKey)}],
  }
  const genesis = parseGenesis(document)
  const {env, state, commit} = createTestState({...network, genesis}, [createAccountsContract(genesis.accounts), evidenceContract])
  const {orgadmin: admin, user, auditor} = network.accounts
  let height = 1

  const block = (txs: Tx[]): Receipt[] => {
    const execution = executeBlock(env, txs, {height, timestamp: 1_700_000_000_000 + height})
    commit(execution)
    height++
    return [...execution.receipts]
  }
  const call = (signer: Signer, method: string, args: unknown) => makeTx(signer, {contract: 'accounts', method, args})
  const send = (signer: Signer, method: string, args: unknown) => block([call(signer, method, args)])[0]!
  const get = (address: string) => query(env, 'accounts', 'get', {address}, height) as AccountStatus
  const list = (args: unknown = {}) => query(env, 'accounts', 'list', args, height) as {total: number; offset: number; accounts: AccountStatus[]}
  const put = (signer: Signer) => makeTx(signer, {contract: 'evidence', method: 'put', args: {key: `k-${height}-${signer.address}`, hash: 'a'.repeat(64)}})

  it('lists every registered account as enabled and stores nothing before a change', () => {
    const page = list()
    expect(page.total).to.equal(5)
    expect(page.accounts.every((account) => !account.disabled)).to.equal(true)
    expect(get(user.address)).to.deep.equal({address: user.address, name: 'user-1', role: 'user', disabled: false})
    expect(list({disabledOnly: true})).to.deep.equal({total: 0, offset: 0, accounts: []})
    expect(state.size).to.equal(0)
  })

  it('lets only an org admin disable or enable', () => {
    for (const signer of [auditor, user, network.accounts.devops]) {
      expectFailed(send(signer, 'disable', {address: user.address}), 'UNAUTHORIZED')
      expectFailed(send(signer, 'enable', {address: user.address}), 'UNAUTHORIZED')
    }
    expect(get(user.address).disabled).to.equal(false)
  })

  it('disables an account with its reason, height and tx; its later txs fail, even in the same block', () => {
    const disable = call(admin, 'disable', {address: user.address.toUpperCase(), reason: 'key leaked'})
    const [disabled, sameBlock, other] = block([disable, put(user), put(network.accounts.devops)])
    expect(disabled!.status).to.equal('ok')
    expect(JSON.parse(disabled!.result)).to.deep.equal({
      address: user.address, name: 'user-1', role: 'user', disabled: true,
      disabledAt: {address: user.address, reason: 'key leaked', height: height - 1, txHash: disable.hashHex, by: admin.address},
    })
    expectFailed(sameBlock, 'ACCOUNT_DISABLED', /disabled at height/)
    expect(other!.status).to.equal('ok')
    expectFailed(block([put(user)])[0], 'ACCOUNT_DISABLED')
    expect(get(user.address)).to.deep.include({disabled: true})
    expect(get(user.address).disabledAt).to.deep.include({reason: 'key leaked', txHash: disable.hashHex})
    expect(list({disabledOnly: true}).accounts.map((account) => account.address)).to.deep.equal([user.address])
    expectFailed(send(admin, 'disable', {address: user.address}), 'ALREADY_EXISTS', /already disabled/)
  })

  it('enables it again; enabling an enabled account is refused', () => {
    const enabled = send(admin, 'enable', {address: user.address})
    expect(enabled.status).to.equal('ok')
    expect(JSON.parse(enabled.result)).to.deep.include({disabled: false})
    expect(JSON.parse(enabled.result).wasDisabled).to.deep.include({reason: 'key leaked'})
    expect(block([put(user)])[0]!.status).to.equal('ok')
    expect(get(user.address).disabled).to.equal(false)
    expect(list({disabledOnly: true}).total).to.equal(0)
    expectFailed(send(admin, 'enable', {address: user.address}), 'ALREADY_EXISTS', /already enabled/)
  })

  it('never disables the last enabled org admin, and a disabled admin can no longer act', () => {
    expect(send(admin, 'disable', {address: secondAdmin.address}).status).to.equal('ok')
    expectFailed(send(admin, 'disable', {address: admin.address}), 'INVALID_ARGUMENT', /last enabled org admin/)
    expectFailed(send(secondAdmin, 'enable', {address: secondAdmin.address}), 'ACCOUNT_DISABLED')
    expect(send(admin, 'enable', {address: secondAdmin.address}).status).to.equal('ok')
    // With two enabled admins, one may disable itself (the other can undo it).
    expect(send(admin, 'disable', {address: admin.address}).status).to.equal('ok')
    expectFailed(send(secondAdmin, 'disable', {address: secondAdmin.address}), 'INVALID_ARGUMENT', /last enabled org admin/)
    expect(send(secondAdmin, 'enable', {address: admin.address}).status).to.equal('ok')
  })

  it('refuses unknown accounts and bad arguments', () => {
    const stranger = network.stranger.address
    expectFailed(send(admin, 'disable', {address: stranger}), 'NOT_FOUND', /not a registered account/)
    expectFailed(send(admin, 'disable', {address: 'xyz'}), 'INVALID_ARGUMENT', /40 hex/)
    expectFailed(send(admin, 'disable', {address: user.address, reason: 'r'.repeat(ACCOUNTS_LIMITS.reasonLengthMax + 1)}), 'INVALID_ARGUMENT', /reason/)
    // A lone surrogate never reaches the contract: tx args are strict JSON.
    expect(() => call(admin, 'disable', {address: user.address, reason: '\ud800'})).to.throw(/lone surrogate/)
    expectFailed(send(admin, 'enable', {address: user.address, reason: 'x'}), 'INVALID_ARGUMENT', /unknown argument "reason"/)
    expect(() => query(env, 'accounts', 'get', {address: stranger}, height)).to.throw(/not a registered account/)
    expect(() => list({limit: ACCOUNTS_LIMITS.pageMax + 1})).to.throw(/limit/)
    expect(() => list({disabledOnly: 'yes'})).to.throw(/disabledOnly/)
    expect(() => query(env, 'accounts', 'disable', {address: user.address}, height)).to.throw(/send a tx/)
  })

  it('pages the list', () => {
    const all = list().accounts.map((account) => account.address)
    expect(list({offset: 1, limit: 2})).to.deep.include({total: 5, offset: 1})
    expect(list({offset: 1, limit: 2}).accounts.map((account) => account.address)).to.deep.equal(all.slice(1, 3))
    expect(list({offset: 10}).accounts).to.deep.equal([])
  })
})
