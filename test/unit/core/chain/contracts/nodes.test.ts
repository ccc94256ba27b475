import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {createNodesContract, NODES_LIMITS, validatorsOf, type NodeMember} from '../../../../../src/core/chain/contracts/nodes.js'
import {executeBlock, query} from '../../../../../src/core/chain/executor.js'
import {generateKeyPair, type Signer} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import {createTestNetwork, createTestState, makeTx} from '../fixtures.js'

function expectFailed(receipt: Receipt | undefined, code: string, message?: RegExp): void {
  expect(receipt?.status).to.equal('failed')
  expect(receipt?.error?.code).to.equal(code)
  if (message !== undefined) expect(receipt?.error?.message).to.match(message)
}

const newKey = () => toHex(generateKeyPair().publicKey)

describe('core/chain/contracts/nodes', () => {
  const network = createTestNetwork()
  const genesisValidator = toHex(network.validator.publicKey)
  const {env, state, commit} = createTestState(network, [createNodesContract(network.genesis.validators)])
  const admin = network.accounts.orgadmin
  let height = 1
  const send = (signer: Signer, method: string, args: unknown) => {
    const execution = executeBlock(env, [makeTx(signer, {contract: 'nodes', method, args})], {height, timestamp: 1_700_000_000_000 + height})
    commit(execution)
    height++
    return execution.receipts[0]!
  }
  const list = () => (query(env, 'nodes', 'list', {}, height) as {members: NodeMember[]}).members

  it('lists the genesis validators before any change, without storing anything', () => {
    expect(list()).to.deep.equal([{publicKey: genesisValidator, name: 'node0', role: 'validator', address: ''}])
    expect(state.size).to.equal(0)
  })

  it('lets only an org admin add or remove', () => {
    const key = newKey()
    for (const role of ['auditor', 'user', 'devops'] as const) {
      expectFailed(send(network.accounts[role], 'add', {publicKey: key, name: 'n1', role: 'validator'}), 'UNAUTHORIZED')
      expectFailed(send(network.accounts[role], 'remove', {publicKey: genesisValidator}), 'UNAUTHORIZED')
    }
    expectFailed(send(network.stranger, 'add', {publicKey: key, name: 'n1', role: 'validator'}), 'UNAUTHORIZED')
    expect(list()).to.have.length(1)
  })

  it('adds validators and observers, lists them, and refuses duplicates', () => {
    const validator = newKey()
    const observer = newKey()
    const added = send(admin, 'add', {publicKey: validator.toUpperCase(), name: 'node1', role: 'validator', address: '10.0.0.2:26656'})
    expect(added.status).to.equal('ok')
    expect(JSON.parse(added.result)).to.deep.include({validators: 2})
    expect(send(admin, 'add', {publicKey: observer, name: 'watch', role: 'observer'}).status).to.equal('ok')
    expectFailed(send(admin, 'add', {publicKey: validator, name: 'again', role: 'observer'}), 'ALREADY_EXISTS')
    expectFailed(send(admin, 'add', {publicKey: genesisValidator, name: 'node0', role: 'validator'}), 'ALREADY_EXISTS')
    const members = list()
    expect(members.map((member) => member.role)).to.deep.equal(['validator', 'validator', 'observer'])
    expect(members[1]).to.deep.equal({publicKey: validator, name: 'node1', role: 'validator', address: '10.0.0.2:26656'})
    expect(validatorsOf(members)).to.deep.equal([genesisValidator, validator])
  })

  it('refuses bad arguments', () => {
    expectFailed(send(admin, 'add', {publicKey: 'abcd', name: 'x', role: 'validator'}), 'INVALID_ARGUMENT', /publicKey/)
    expectFailed(send(admin, 'add', {publicKey: `04${'1'.repeat(128)}`, name: 'x', role: 'validator'}), 'INVALID_ARGUMENT', /curve/)
    expectFailed(send(admin, 'add', {publicKey: newKey(), name: 'x', role: 'king'}), 'INVALID_ARGUMENT', /role/)
    expectFailed(send(admin, 'add', {publicKey: newKey(), name: 'x', role: 'validator', address: 'no-port'}), 'INVALID_ARGUMENT', /address/)
    expectFailed(send(admin, 'add', {publicKey: newKey(), name: 'x', role: 'validator', address: 'h:70000'}), 'INVALID_ARGUMENT', /port/)
    expectFailed(send(admin, 'add', {publicKey: newKey(), name: 'x'.repeat(NODES_LIMITS.nameLengthMax + 1), role: 'validator'}), 'INVALID_ARGUMENT', /name/)
    expectFailed(send(admin, 'add', {publicKey: newKey(), name: 'x', extra: 1}), 'INVALID_ARGUMENT', /unknown argument/)
  })

  it('removes members, refuses unknown ones and never leaves the chain without a validator', () => {
    const [, validator, observer] = list()
    expectFailed(send(admin, 'remove', {publicKey: newKey()}), 'NOT_FOUND')
    expect(send(admin, 'remove', {publicKey: observer!.publicKey}).status).to.equal('ok')
    expect(send(admin, 'remove', {publicKey: genesisValidator}).status).to.equal('ok')
    expect(validatorsOf(list())).to.deep.equal([validator!.publicKey])
    expectFailed(send(admin, 'remove', {publicKey: validator!.publicKey}), 'INVALID_ARGUMENT', /last validator/)
    expect(list()).to.have.length(1)
  })

  it('list is read-only and add cannot be queried', () => {
    expect(() => query(env, 'nodes', 'add', {publicKey: newKey(), name: 'q', role: 'validator'}, height)).to.throw(/send a tx/)
  })
})
