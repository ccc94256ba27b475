/** `nodes.disable` / `nodes.enable` (incident response): the record stays, the vote and the connection go. */
import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {applyMembershipChange, createNodesContract, NODES_CHANGE_METHODS, validatorsOf, type NodeMember} from '../../../../../src/core/chain/contracts/nodes.js'
import {executeBlock, query} from '../../../../../src/core/chain/executor.js'
import {generateKeyPair, type Signer} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import {createTestNetwork, createTestState, makeTx} from '../fixtures.js'

function expectFailed(receipt: Receipt | undefined, code: string, message?: RegExp): void {
  expect(receipt?.status).to.equal('failed')
  expect(receipt?.error?.code).to.equal(code)
  if (message !== undefined) expect(receipt?.error?.message).to.match(message)
}

describe('core/chain/contracts/nodes: disable and enable', () => {
  const network = createTestNetwork()
  const genesisValidator = toHex(network.validator.publicKey)
  const second = toHex(generateKeyPair().publicKey)
  const observer = toHex(generateKeyPair().publicKey)
  const {env, commit} = createTestState(network, [createNodesContract(network.genesis.validators)])
  const admin = network.accounts.orgadmin
  let height = 1
  const send = (signer: Signer, method: string, args: unknown) => {
    const execution = executeBlock(env, [makeTx(signer, {contract: 'nodes', method, args})], {height, timestamp: 1_700_000_000_000 + height})
    commit(execution)
    height++
    return execution.receipts[0]!
  }
  const list = () => (query(env, 'nodes', 'list', {}, height) as {members: NodeMember[]}).members

  before(() => {
    expect(send(admin, 'add', {publicKey: second, name: 'node1', role: 'validator', address: '10.0.0.2:26656'}).status).to.equal('ok')
    expect(send(admin, 'add', {publicKey: observer, name: 'watch', role: 'observer'}).status).to.equal('ok')
  })

  it('are node-set changes, so the driver reconfigures after them', () => {
    expect([...NODES_CHANGE_METHODS]).to.include.members(['disable', 'enable'])
  })

  it('lets only an org admin disable or enable, and only members', () => {
    expectFailed(send(network.accounts.devops, 'disable', {publicKey: second}), 'UNAUTHORIZED')
    expectFailed(send(network.accounts.user, 'enable', {publicKey: second}), 'UNAUTHORIZED')
    expectFailed(send(admin, 'disable', {publicKey: toHex(generateKeyPair().publicKey)}), 'NOT_FOUND')
    expectFailed(send(admin, 'disable', {publicKey: second, reason: 'x'}), 'INVALID_ARGUMENT', /unknown argument/)
  })

  it('disable keeps the record but takes the member out of the validators', () => {
    const receipt = send(admin, 'disable', {publicKey: second})
    expect(receipt.status).to.equal('ok')
    expect(JSON.parse(receipt.result)).to.deep.equal({member: {publicKey: second, name: 'node1', role: 'validator', address: '10.0.0.2:26656', disabled: true}, validators: 1})
    expect(list()[1]).to.deep.equal({publicKey: second, name: 'node1', role: 'validator', address: '10.0.0.2:26656', disabled: true})
    expect(validatorsOf(list())).to.deep.equal([genesisValidator])
    expectFailed(send(admin, 'disable', {publicKey: second}), 'ALREADY_EXISTS', /already disabled/)
    // An observer (no vote) can be disabled too: it may no longer connect.
    expect(send(admin, 'disable', {publicKey: observer}).status).to.equal('ok')
  })

  it('never disables the last enabled validator', () => {
    expectFailed(send(admin, 'disable', {publicKey: genesisValidator}), 'INVALID_ARGUMENT', /last enabled validator/)
    expectFailed(send(admin, 'remove', {publicKey: genesisValidator}), 'INVALID_ARGUMENT', /last validator/)
    expect(validatorsOf(list())).to.deep.equal([genesisValidator])
  })

  it('enable restores the member as it was', () => {
    expect(send(admin, 'enable', {publicKey: second.toUpperCase()}).status).to.equal('ok')
    expect(list()[1]).to.deep.equal({publicKey: second, name: 'node1', role: 'validator', address: '10.0.0.2:26656'})
    expect(validatorsOf(list())).to.deep.equal([genesisValidator, second])
    expectFailed(send(admin, 'enable', {publicKey: second}), 'ALREADY_EXISTS', /already enabled/)
    // With two validators enabled again, the genesis one may now be disabled.
    expect(send(admin, 'disable', {publicKey: genesisValidator}).status).to.equal('ok')
    expect(validatorsOf(list())).to.deep.equal([second])
  })

  it('replays offline the way the chain executed it (membership verification)', () => {
    const context = {chainId: 'c', height: 1, blockTime: 0, txHash: '', sender: {address: '', publicKey: '', role: 'orgadmin' as const}}
    const members = list()
    const enabled = applyMembershipChange(members, 'enable', {publicKey: genesisValidator}, context)
    expect(validatorsOf(enabled)).to.deep.equal([genesisValidator, second])
    expect(() => applyMembershipChange(members, 'disable', {publicKey: second}, context)).to.throw(/last enabled validator/)
  })
})
