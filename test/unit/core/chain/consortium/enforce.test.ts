import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {authorizeAtAdmission} from '../../../../../src/core/chain/consortium/enforce.js'
import {ConsortiumView} from '../../../../../src/core/chain/consortium/view.js'
import {stateKey} from '../../../../../src/core/chain/executor.js'
import {addressOf, generateKeyPair} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import {createConsortium, type Consortium} from './fixture.js'

const status = (receipt: Receipt): string => (receipt.status === 'ok' ? 'ok' : receipt.error!.code)

describe('core/chain/consortium: policies enforced at execution and admission (version 2)', () => {
  let c: Consortium
  beforeEach(() => {
    c = createConsortium()
  })

  // [who, contract, method, args, expected receipt]
  const cases: [string, (c: Consortium) => [import('../../../../../src/core/crypto/index.js').Signer, string, string, unknown], string][] = [
    ['a user puts evidence', (c) => [c.keys.org1.user, 'evidence', 'put', {key: 'a', hash: 'ab'.repeat(32)}], 'ok'],
    ['an auditor may not write business data', (c) => [c.keys.org1.auditor, 'evidence', 'put', {key: 'a', hash: 'ab'.repeat(32)}], 'UNAUTHORIZED'],
    ['an org admin creates an account in its org', (c) => [c.keys.org2.orgadmin, 'accounts', 'create', {name: 'clerk', publicKey: toHex(generateKeyPair().publicKey), roles: ['user']}], 'ok'],
    ['an org admin may not create an account in another org', (c) => [c.keys.org2.orgadmin, 'accounts', 'create', {org: 'org1', name: 'x', publicKey: toHex(generateKeyPair().publicKey), roles: ['user']}], 'UNAUTHORIZED'],
    ['a devops may not create accounts', (c) => [c.keys.org2.devops, 'accounts', 'create', {name: 'x', publicKey: toHex(generateKeyPair().publicKey), roles: ['user']}], 'UNAUTHORIZED'],
    ['one account cannot be orgadmin and auditor', (c) => [c.keys.org1.orgadmin, 'accounts', 'create', {name: 'x', publicKey: toHex(generateKeyPair().publicKey), roles: ['orgadmin', 'auditor']}], 'INVALID_ARGUMENT'],
    ['one org admin alone cannot admit an org', (c) => [c.keys.org1.orgadmin, 'orgs', 'add', {id: 'org4', name: 'Four', admin: {publicKey: toHex(generateKeyPair().publicKey)}}], 'UNAUTHORIZED'],
    ['one org admin alone cannot set a policy', (c) => [c.keys.org1.orgadmin, 'policy', 'set', {resource: 'evidence.put', policy: {rule: 'ANY', roles: ['devops']}}], 'UNAUTHORIZED'],
    ['one org admin alone cannot add a node', (c) => [c.keys.org1.orgadmin, 'nodes', 'add', {publicKey: toHex(generateKeyPair().publicKey), name: 'n9'}], 'UNAUTHORIZED'],
    ['an org admin updates its own org', (c) => [c.keys.org3.orgadmin, 'orgs', 'update', {id: 'org3', name: 'Renamed'}], 'ok'],
    ['an org admin may not update another org', (c) => [c.keys.org3.orgadmin, 'orgs', 'update', {id: 'org1', name: 'Renamed'}], 'UNAUTHORIZED'],
    ['an org admin disables an account of its org', (c) => [c.keys.org1.orgadmin, 'accounts', 'disable', {address: c.keys.org1.user.address}], 'ok'],
    ['an org admin alone may not disable another org\'s account', (c) => [c.keys.org1.orgadmin, 'accounts', 'disable', {address: c.keys.org2.user.address}], 'UNAUTHORIZED'],
    ['a user calls a user contract (policy contract.call); the missing contract fails after', (c) => [c.keys.org1.user, 'claims', 'open', {}], 'UNKNOWN_CONTRACT'],
    ['an auditor may not call user contracts', (c) => [c.keys.org1.auditor, 'claims', 'open', {}], 'UNAUTHORIZED'],
  ]
  for (const [name, build, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const [signer, contract, method, args] = build(c)
      const tx = c.tx(signer, {contract, method, args})
      const receipt = c.run(tx).receipts[0]!
      expect(status(receipt), receipt.error?.message).to.equal(expected)
      // Admission asks the same question of committed state, before the mempool.
      const view = new ConsortiumView(c.genesis, (name, key) => c.env.readState(stateKey(name, key)))
      const again = c.tx(signer, {contract, method, args})
      if (expected === 'UNAUTHORIZED') expect(() => authorizeAtAdmission(view, c.env.contracts, again, c.height + 1)).to.throw().with.property('code', 'UNAUTHORIZED')
    })
  }

  it('the UNAUTHORIZED receipt names the resource and the policy', () => {
    const receipt = c.run(c.tx(c.keys.org1.orgadmin, {contract: 'nodes', method: 'add', args: {publicKey: toHex(generateKeyPair().publicKey), name: 'n9'}})).receipts[0]!
    expect(receipt.error!.message).to.match(/may not nodes\.add: policy MAJORITY of orgadmin/).and.to.match(/open a proposal/)
  })

  it('an account created at run time acts with its roles; a granted role and permission count; a revoked one no longer does', () => {
    const key = generateKeyPair()
    const address = addressOf(key.publicKey)
    expect(status(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'accounts', method: 'create', args: {name: 'clerk', publicKey: toHex(key.publicKey), roles: ['auditor']}})).receipts[0]!)).to.equal('ok')
    expect(c.query('accounts', 'get', {address})).to.include({org: 'org2', name: 'clerk'})
    const view = () => new ConsortiumView(c.genesis, (name, k) => c.env.readState(stateKey(name, k)))
    expect(view().endorsementOf(address)).to.deep.include({org: 'org2', roles: ['auditor']})
    c.run(c.tx(c.keys.org2.orgadmin, {contract: 'accounts', method: 'grant', args: {address, role: 'user'}}))
    expect(view().endorsementOf(address)!.roles).to.deep.equal(['auditor', 'user'])
    // A permission may stand in for a single-org policy, never for a consortium-wide one.
    expect(status(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'accounts', method: 'grant', args: {address, permission: 'archive.run'}})).receipts[0]!)).to.equal('ok')
    expect(status(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'accounts', method: 'grant', args: {address, permission: 'nodes.add'}})).receipts[0]!)).to.equal('INVALID_ARGUMENT')
    c.run(c.tx(c.keys.org2.orgadmin, {contract: 'accounts', method: 'revoke', args: {address, role: 'user'}}))
    expect(view().endorsementOf(address)!.roles).to.deep.equal(['auditor'])
    // The last enabled org admin of an org cannot be disabled or lose the role.
    const admin = c.keys.org3.orgadmin.address
    expect(status(c.run(c.tx(c.keys.org3.orgadmin, {contract: 'accounts', method: 'disable', args: {address: admin}})).receipts[0]!)).to.equal('INVALID_ARGUMENT')
    expect(status(c.run(c.tx(c.keys.org3.orgadmin, {contract: 'accounts', method: 'revoke', args: {address: admin, role: 'orgadmin'}})).receipts[0]!)).to.equal('INVALID_ARGUMENT')
  })

  it('a disabled account is refused at once; policy list shows the default table', () => {
    c.run(c.tx(c.keys.org1.orgadmin, {contract: 'accounts', method: 'disable', args: {address: c.keys.org1.user.address, reason: 'key leaked'}}))
    expect(status(c.run(c.tx(c.keys.org1.user, {})).receipts[0]!)).to.equal('ACCOUNT_DISABLED')
    const list = c.query('policy', 'list') as {resources: {resource: string; text: string}[]}
    expect(list.resources.find((entry) => entry.resource === 'contracts.deploy')!.text).to.equal('MAJORITY of orgadmin')
    expect((c.query('orgs', 'list') as {total: number}).total).to.equal(3)
  })
})

describe('core/chain/consortium: an organisation as the chain shows it', () => {
  it('names its node keys and its enabled org admins', () => {
    const c = createConsortium()
    const org1 = c.query('orgs', 'get', {id: 'org1'}) as {nodes: string[]; admins: string[]; encryptionKey: string; status: string}
    expect(org1.nodes).to.deep.equal([c.genesis.validators[0]!.publicKey])
    expect(org1.admins).to.deep.equal([c.keys.org1.orgadmin.address])
    expect(org1.status).to.equal('active')
    expect((c.query('orgs', 'get', {id: 'org2'}) as {nodes: string[]}).nodes).to.deep.equal([])
  })
})
