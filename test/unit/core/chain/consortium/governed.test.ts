import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {addressOf, generateKeyPair} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import {createConsortium, type Consortium} from './fixture.js'

interface Proposal {
  id: number
  status: string
  needs: number
  error?: {code: string; message: string}
}

function proposalOf(receipt: Receipt): Proposal {
  expect(receipt.status, receipt.error?.message).to.equal('ok')
  return (JSON.parse(receipt.result) as {proposal: Proposal}).proposal
}

const exists = (c: Consortium, id: string): boolean => {
  try {
    c.query('orgs', 'get', {id})
    return true
  } catch {
    return false
  }
}

describe('core/chain/consortium: consortium changes through proposals (registered system contracts)', () => {
  it('an org is admitted once 2 of 3 org admins approve, with its first org admin, who may then act for it', () => {
    const c = createConsortium()
    const admin = generateKeyPair()
    const action = {contract: 'orgs', method: 'add', args: {id: 'org4', name: 'Four', admin: {name: 'four-admin', publicKey: toHex(admin.publicKey)}}}
    const proposal = proposalOf(c.run(c.tx(c.keys.org1.orgadmin, {contract: 'governance', method: 'propose', args: {action}})).receipts[0]!)
    expect(proposal).to.include({status: 'voting', needs: 1})
    expect(exists(c, 'org4')).to.equal(false)
    // A second admin of org1 would not count: another organisation must approve.
    const voted = proposalOf(c.run(c.tx(c.keys.org3.orgadmin, {contract: 'governance', method: 'vote', args: {id: proposal.id, approve: true}})).receipts[0]!)
    expect(voted.status).to.equal('executed')
    expect(c.query('orgs', 'get', {id: 'org4'})).to.include({id: 'org4', status: 'active'})
    expect(c.query('accounts', 'get', {address: addressOf(admin.publicKey)})).to.deep.include({org: 'org4', roles: ['orgadmin']})
    // MAJORITY is now over four organisations: 3 must approve.
    const next = proposalOf(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'governance', method: 'propose', args: {action: {contract: 'policy', method: 'set', args: {resource: 'evidence.put', policy: {rule: 'ANY', roles: ['user', 'devops']}}}}})).receipts[0]!)
    expect(next).to.include({status: 'voting', needs: 2})
  })

  it('an action that fails after writing leaves nothing behind (all or nothing), and the proposal records the failure', () => {
    const c = createConsortium()
    // The org record is written first; creating its admin then fails (an empty name).
    const action = {contract: 'orgs', method: 'add', args: {id: 'org5', name: 'Five', admin: {name: '', publicKey: toHex(generateKeyPair().publicKey)}}}
    const proposal = proposalOf(c.run(c.tx(c.keys.org1.orgadmin, {contract: 'governance', method: 'propose', args: {action}})).receipts[0]!)
    const closed = proposalOf(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'governance', method: 'vote', args: {id: proposal.id, approve: true}})).receipts[0]!)
    expect(closed.status).to.equal('failed')
    expect(closed.error!.code).to.equal('INVALID_ARGUMENT')
    expect(exists(c, 'org5')).to.equal(false)
    expect((c.query('orgs', 'list') as {total: number}).total).to.equal(3)
  })

  it('a node joins through a proposal with its organisation; a user cannot propose it', () => {
    const c = createConsortium()
    const node = toHex(generateKeyPair().publicKey)
    const action = {contract: 'nodes', method: 'add', args: {publicKey: node, name: 'node9', org: 'org2', role: 'observer'}}
    const refused = c.run(c.tx(c.keys.org2.user, {contract: 'governance', method: 'propose', args: {action}})).receipts[0]!
    expect(refused.error?.code).to.equal('UNAUTHORIZED')
    const proposal = proposalOf(c.run(c.tx(c.keys.org2.devops, {contract: 'governance', method: 'propose', args: {action}})).receipts[0]!)
    expect(proposal).to.include({status: 'voting', needs: 2}) // a devops proposes; two org admins approve
    c.run(c.tx(c.keys.org1.orgadmin, {contract: 'governance', method: 'vote', args: {id: proposal.id, approve: true}}))
    const done = c.run(c.tx(c.keys.org2.orgadmin, {contract: 'governance', method: 'vote', args: {id: proposal.id, approve: true}}))
    expect(proposalOf(done.receipts[0]!).status).to.equal('executed')
    const members = (c.query('nodes', 'list') as {members: {publicKey: string; org?: string}[]}).members
    expect(members.find((member) => member.publicKey === node)).to.include({org: 'org2'})
    expect(members[0]).to.include({org: 'org1'})
  })
})

describe('core/chain/contracts/params: chain parameters changed through a proposal', () => {
  it('takes a MAJORITY of org admins; the whole set stays valid', () => {
    const c = createConsortium()
    const direct = c.run(c.tx(c.keys.org1.orgadmin, {contract: 'params', method: 'set', args: {name: 'blockTxsMax', value: 10}})).receipts[0]!
    expect(direct.error?.code).to.equal('UNAUTHORIZED')
    const action = {contract: 'params', method: 'set', args: {name: 'blockTxsMax', value: 10}}
    const proposal = proposalOf(c.run(c.tx(c.keys.org1.orgadmin, {contract: 'governance', method: 'propose', args: {action}})).receipts[0]!)
    expect(proposalOf(c.run(c.tx(c.keys.org2.orgadmin, {contract: 'governance', method: 'vote', args: {id: proposal.id, approve: true}})).receipts[0]!).status).to.equal('executed')
    expect((c.query('params', 'get') as {params: {blockTxsMax: number; txExpiryWindow: number}}).params).to.include({blockTxsMax: 10, txExpiryWindow: c.genesis.params.txExpiryWindow})
    const bad = {contract: 'params', method: 'set', args: {name: 'blockGasMax', value: 1}}
    const refused = proposalOf(c.run(c.tx(c.keys.org1.orgadmin, {contract: 'governance', method: 'propose', args: {action: bad}})).receipts[0]!)
    const closed = proposalOf(c.run(c.tx(c.keys.org3.orgadmin, {contract: 'governance', method: 'vote', args: {id: refused.id, approve: true}})).receipts[0]!)
    expect(closed).to.include({status: 'failed'})
  })
})
