import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {createSignedVote, executedNodeChange, GOVERNANCE_LIMITS, type SignedVoteDocument} from '../../../../../src/core/chain/governance/index.js'
import {changesNodeSet} from '../../../../../src/core/chain/settle.js'
import {createReceipt} from '../../../../../src/core/types/receipt.js'
import {createGovernanceNet, CHAIN_ID, type GovernanceNet} from './fixture.js'

const deploy = (name: string) => ({action: {contract: 'probe', method: 'deploy', args: {name}}})

/** A proposal to deploy `name`, opened by org1's devops: returns its id. */
function openDeploy(net: GovernanceNet, name: string, extra: Record<string, unknown> = {}): number {
  const receipt = net.send(net.keys.org1.devops, 'propose', {...deploy(name), ...extra})
  expect(receipt.error).to.equal(null)
  expect(receipt.answer.proposal).to.include({status: 'voting', needs: 2, resource: 'contracts.deploy'})
  return receipt.answer.proposal.id as number
}

describe('core/chain/governance contract', () => {
  describe('a devops deploy under MAJORITY of org admins (3 orgs)', () => {
    const net = createGovernanceNet()
    let id = 0

    it('opens as voting, needing 2 organisations (the devops vote does not count)', () => {
      id = openDeploy(net, 'alpha')
      expect(id).to.equal(1)
      const record = net.query('governance', 'get', {id})
      expect(record).to.include({status: 'voting', needs: 2, resource: 'contracts.deploy', proposer: record.proposer})
      expect(record.proposer).to.deep.equal({address: net.keys.org1.devops.address, org: 'org1'})
      expect(record.policy).to.deep.equal({rule: 'MAJORITY', orgs: [], roles: ['orgadmin']})
      expect(record.votes).to.have.length(1)
      expect(record.votes[0]).to.include({signer: net.keys.org1.devops.address, approve: true, offline: false})
      expect(record.evaluation.matches[0]).to.include({counted: false})
      expect(record.expiryHeight).to.equal(record.createdHeight + GOVERNANCE_LIMITS.expiryBlocksDefault)
    })

    it('stays voting after 1 of 3 org admins approves', () => {
      const receipt = net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true})
      expect(receipt.answer.proposal).to.include({status: 'voting', needs: 1})
      expect(net.query('probe', 'read', {key: 'deployed/alpha'})).to.equal(null)
    })

    it('executes in the block of the 2nd organisation\'s approval, and keeps the result', () => {
      const receipt = net.send(net.keys.org2.orgadmin, 'vote', {id, approve: true})
      expect(receipt.status).to.equal('ok')
      expect(receipt.answer.proposal).to.deep.include({status: 'executed', needs: 0, result: {deployed: 'alpha', height: net.height}})
      expect(net.query('probe', 'read', {key: 'deployed/alpha'})).to.equal(String(net.height))
      const record = net.query('governance', 'get', {id})
      expect(record).to.include({status: 'executed', closedHeight: net.height})
      expect(record.evaluation).to.include({satisfied: true, needed: 2})
      expect(record.evaluation.approvedBy).to.deep.equal(['org1', 'org2'])
      expect(record.evaluation.matches.filter((match: {counted: boolean}) => match.counted).map((match: {reason: string}) => match.reason)).to.deep.equal(['role orgadmin', 'role orgadmin'])
    })

    it('refuses votes once executed (PROPOSAL_CLOSED)', () => {
      const receipt = net.send(net.keys.org3.orgadmin, 'vote', {id, approve: true})
      expect(receipt.error?.code).to.equal('PROPOSAL_CLOSED')
    })
  })

  describe('who may propose and vote', () => {
    const net = createGovernanceNet()
    const cases: {name: string; who: (n: GovernanceNet) => Parameters<GovernanceNet['send']>[0]; method: string; args: (id: number) => unknown; code: string}[] = [
      {name: 'a user cannot propose a deploy', who: (n) => n.keys.org1.user, method: 'propose', args: () => deploy('x'), code: 'UNAUTHORIZED'},
      {name: 'an auditor cannot propose a deploy', who: (n) => n.keys.org2.auditor, method: 'propose', args: () => deploy('x'), code: 'UNAUTHORIZED'},
      {name: 'a stranger key cannot propose', who: () => createGovernanceNet().keys.org1.orgadmin, method: 'propose', args: () => deploy('x'), code: 'UNAUTHORIZED'},
      {name: 'a read-only method is no action', who: (n) => n.keys.org1.orgadmin, method: 'propose', args: () => ({action: {contract: 'probe', method: 'read', args: {key: 'a'}}}), code: 'INVALID_ARGUMENT'},
      {name: 'governance is no action of its own', who: (n) => n.keys.org1.orgadmin, method: 'propose', args: (id) => ({action: {contract: 'governance', method: 'revoke', args: {id}}}), code: 'INVALID_ARGUMENT'},
      {name: 'an unknown contract is no action', who: (n) => n.keys.org1.orgadmin, method: 'propose', args: () => ({action: {contract: 'nope', method: 'x', args: {}}}), code: 'UNKNOWN_CONTRACT'},
      {name: 'expiryBlocks is bounded', who: (n) => n.keys.org1.devops, method: 'propose', args: () => ({...deploy('x'), expiryBlocks: GOVERNANCE_LIMITS.expiryBlocksMax + 1}), code: 'INVALID_ARGUMENT'},
      {name: 'a user cannot vote', who: (n) => n.keys.org2.user, method: 'vote', args: (id) => ({id, approve: true}), code: 'UNAUTHORIZED'},
      {name: 'a devops cannot vote on an admins\' policy', who: (n) => n.keys.org2.devops, method: 'vote', args: (id) => ({id, approve: true}), code: 'UNAUTHORIZED'},
      {name: 'a vote on no proposal', who: (n) => n.keys.org2.orgadmin, method: 'vote', args: () => ({id: 99, approve: true}), code: 'NOT_FOUND'},
      {name: 'approve must be a boolean', who: (n) => n.keys.org2.orgadmin, method: 'vote', args: (id) => ({id, approve: 'yes'}), code: 'INVALID_ARGUMENT'},
    ]
    let id = 0
    before(() => {
      id = openDeploy(net, 'beta')
    })
    for (const entry of cases) {
      it(entry.name, () => {
        const receipt = net.send(entry.who(net), entry.method, entry.args(id))
        expect(receipt.status).to.equal('failed')
        expect(receipt.error?.code).to.equal(entry.code)
      })
    }

    it('a second vote by the same signer is ALREADY_EXISTS', () => {
      expect(net.send(net.keys.org3.orgadmin, 'vote', {id, approve: false}).answer.proposal).to.include({status: 'voting'})
      expect(net.send(net.keys.org3.orgadmin, 'vote', {id, approve: true}).error?.code).to.equal('ALREADY_EXISTS')
    })
  })

  it('a SELF action by its own org admin runs at once, in the proposing tx', () => {
    const net = createGovernanceNet()
    const receipt = net.send(net.keys.org2.orgadmin, 'propose', {action: {contract: 'probe', method: 'update', args: {org: 'org2', name: 'Finance'}}})
    expect(receipt.answer.proposal).to.deep.include({id: 1, status: 'executed', needs: 0, resource: 'orgs.update', result: {org: 'org2', name: 'Finance'}})
    expect(net.query('probe', 'read', {key: 'name/org2'})).to.equal('Finance')
    // Another org's admin may propose it, but only org2's admins count.
    const other = net.send(net.keys.org1.orgadmin, 'propose', {action: {contract: 'probe', method: 'update', args: {org: 'org2', name: 'Other'}}})
    expect(other.answer.proposal).to.include({status: 'voting', needs: 1})
    expect(net.send(net.keys.org3.orgadmin, 'vote', {id: other.answer.proposal.id, approve: true}).error?.code).to.equal('UNAUTHORIZED')
  })

  it('refuses a vote past the expiry height (PROPOSAL_EXPIRED), and never executes', () => {
    const net = createGovernanceNet()
    const id = openDeploy(net, 'late', {expiryBlocks: 3})
    net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true})
    net.skip(2)
    // Head = expiry height: still voting as of the head, though no later block may count a vote.
    expect(net.query('governance', 'get', {id})).to.include({status: 'voting', expiryHeight: net.height})
    const receipt = net.send(net.keys.org2.orgadmin, 'vote', {id, approve: true})
    expect(receipt.error?.code).to.equal('PROPOSAL_EXPIRED')
    expect(net.query('governance', 'get', {id}).status).to.equal('expired')
    expect(net.query('probe', 'read', {key: 'deployed/late'})).to.equal(null)
    expect(net.query('governance', 'list', {status: 'expired'}).proposals.map((entry: {id: number}) => entry.id)).to.deep.equal([id])
    expect(net.send(net.keys.org1.devops, 'revoke', {id}).error?.code).to.equal('PROPOSAL_EXPIRED')
  })

  it('rejects once the rejections leave too few organisations to pass', () => {
    const net = createGovernanceNet()
    const id = openDeploy(net, 'gamma')
    expect(net.send(net.keys.org1.orgadmin, 'vote', {id, approve: false}).answer.proposal).to.include({status: 'voting', needs: 2})
    expect(net.send(net.keys.org2.orgadmin, 'vote', {id, approve: false}).answer.proposal).to.include({status: 'rejected'})
    expect(net.query('governance', 'get', {id}).evaluation.rejectedBy).to.deep.equal(['org1', 'org2'])
    expect(net.query('governance', 'list', {status: 'voting'}).proposals).to.deep.equal([])
  })

  describe('revoke', () => {
    const cases = [
      {name: 'by its proposer', who: (n: GovernanceNet) => n.keys.org1.devops, code: null},
      {name: 'by an orgadmin of the proposer\'s organisation', who: (n: GovernanceNet) => n.keys.org1.orgadmin, code: null},
      {name: 'not by another organisation\'s admin', who: (n: GovernanceNet) => n.keys.org2.orgadmin, code: 'UNAUTHORIZED'},
      {name: 'not by a user of the proposer\'s organisation', who: (n: GovernanceNet) => n.keys.org1.user, code: 'UNAUTHORIZED'},
    ]
    for (const entry of cases) {
      it(entry.name, () => {
        const net = createGovernanceNet()
        const id = openDeploy(net, 'delta')
        const receipt = net.send(entry.who(net), 'revoke', {id})
        expect(receipt.error?.code ?? null).to.equal(entry.code)
        if (entry.code !== null) return
        expect(receipt.answer.proposal).to.include({status: 'revoked'})
        expect(net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true}).error?.code).to.equal('PROPOSAL_CLOSED')
        expect(net.send(net.keys.org1.devops, 'revoke', {id}).error?.code).to.equal('PROPOSAL_CLOSED')
      })
    }
  })

  it('keeps the policy of its creation when the policy changes afterwards', () => {
    const net = createGovernanceNet()
    const id = openDeploy(net, 'epsilon')
    // Later: any one org admin may deploy. The open proposal still needs a majority.
    net.setPolicy('contracts.deploy', {rule: 'ANY', orgs: [], roles: ['orgadmin']})
    expect(net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true}).answer.proposal).to.include({status: 'voting', needs: 1})
    expect(net.query('governance', 'get', {id}).policy).to.deep.equal({rule: 'MAJORITY', orgs: [], roles: ['orgadmin']})
    // And a new proposal takes the new policy: one admin's proposal runs at once.
    const now = net.send(net.keys.org3.orgadmin, 'propose', deploy('zeta'))
    expect(now.answer.proposal).to.include({status: 'executed'})
    // Stricter later (ALL) does not block the old one either.
    net.setPolicy('contracts.deploy', {rule: 'ALL', orgs: [], roles: ['orgadmin']})
    expect(net.send(net.keys.org2.orgadmin, 'vote', {id, approve: true}).answer.proposal).to.include({status: 'executed'})
  })

  it('records an action that fails (status failed, its error), the governance tx itself ok', () => {
    const net = createGovernanceNet()
    const opened = net.send(net.keys.org1.devops, 'propose', {action: {contract: 'probe', method: 'fail', args: {}}})
    const id = opened.answer.proposal.id as number
    net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true})
    const receipt = net.send(net.keys.org2.orgadmin, 'vote', {id, approve: true})
    expect(receipt.status).to.equal('ok')
    expect(receipt.answer.proposal).to.deep.include({status: 'failed', error: {code: 'CONTRACT_ERROR', message: 'the action refuses'}})
    expect(net.query('governance', 'get', {id})).to.deep.include({status: 'failed', error: {code: 'CONTRACT_ERROR', message: 'the action refuses'}})
  })

  it('lists proposals newest first, by status, in pages', () => {
    const net = createGovernanceNet()
    for (const name of ['a', 'b', 'c']) openDeploy(net, name)
    net.send(net.keys.org1.devops, 'revoke', {id: 2})
    const ids = (args: unknown) => net.query('governance', 'list', args).proposals.map((entry: {id: number}) => entry.id)
    expect(ids({})).to.deep.equal([3, 2, 1])
    expect(ids({status: 'voting'})).to.deep.equal([3, 1])
    expect(ids({status: 'revoked'})).to.deep.equal([2])
    expect(ids({offset: 1, limit: 1})).to.deep.equal([2])
    expect(net.query('governance', 'list', {}).total).to.equal(3)
  })
})

describe('core/chain/governance offline votes (submitVote)', () => {
  const sign = (net: GovernanceNet, id: number, overrides: Partial<{chainId: string; approve: boolean; expiryHeight: number}> = {}, signer = net.keys.org2.orgadmin): SignedVoteDocument =>
    createSignedVote(signer, {chainId: CHAIN_ID, proposalId: id, approve: true, expiryHeight: net.query('governance', 'get', {id}).expiryHeight, ...overrides})

  it('counts a vote signed offline and carried by another account (a user of a third org)', () => {
    const net = createGovernanceNet()
    const id = openDeploy(net, 'offline')
    net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true})
    const vote = JSON.parse(JSON.stringify(sign(net, id))) as unknown
    const receipt = net.send(net.keys.org3.user, 'submitVote', {vote})
    expect(receipt.error).to.equal(null)
    expect(receipt.answer.proposal).to.include({status: 'executed'})
    const record = net.query('governance', 'get', {id})
    expect(record.votes[2]).to.include({signer: net.keys.org2.orgadmin.address, org: 'org2', offline: true, txHash: toHex(receipt.txHash)})
    expect(record.votes[2].signature).to.have.length(128)
  })

  const refusals: {name: string; vote: (net: GovernanceNet, id: number) => unknown; code: string; skip?: number}[] = [
    {name: 'a forged vote (approve flipped after signing)', vote: (net, id) => ({...sign(net, id, {approve: false}), approve: true}), code: 'BAD_SIGNATURE'},
    {name: 'a vote signed by another key than it names', vote: (net, id) => ({...sign(net, id, {}, net.keys.org3.orgadmin), publicKey: toHex(net.keys.org2.orgadmin.publicKey)}), code: 'BAD_SIGNATURE'},
    {name: 'a vote for another chain', vote: (net, id) => sign(net, id, {chainId: 'other-chain'}), code: 'WRONG_CHAIN'},
    {name: 'a vote past its own expiry', vote: (net, id) => sign(net, id, {expiryHeight: net.height + 1}), code: 'VOTE_EXPIRED', skip: 2},
    {name: 'a vote outliving the proposal', vote: (net, id) => sign(net, id, {expiryHeight: net.height + 5000}), code: 'INVALID_ARGUMENT'},
    {name: 'a vote by a user', vote: (net, id) => sign(net, id, {}, net.keys.org2.user), code: 'UNAUTHORIZED'},
    {name: 'a vote by a key no account holds', vote: (net, id) => sign(net, id, {}, createGovernanceNet().keys.org2.orgadmin), code: 'UNAUTHORIZED'},
    {name: 'a vote with an unknown field', vote: (net, id) => ({...sign(net, id), extra: 1}), code: 'INVALID_ARGUMENT'},
  ]
  for (const entry of refusals) {
    it(`refuses ${entry.name} (${entry.code})`, () => {
      const net = createGovernanceNet()
      const id = openDeploy(net, 'refused')
      const vote = entry.vote(net, id)
      net.skip(entry.skip ?? 0)
      const receipt = net.send(net.keys.org3.user, 'submitVote', {vote})
      expect(receipt.error?.code).to.equal(entry.code)
      expect(net.query('governance', 'get', {id}).votes).to.have.length(1)
    })
  }

  it('refuses a replayed vote (ALREADY_EXISTS), and an offline vote after an online one', () => {
    const net = createGovernanceNet()
    const id = openDeploy(net, 'replay')
    const vote = sign(net, id, {approve: false})
    expect(net.send(net.keys.org3.user, 'submitVote', {vote}).answer.proposal).to.include({status: 'voting'})
    expect(net.send(net.keys.org1.user, 'submitVote', {vote}).error?.code).to.equal('ALREADY_EXISTS')
    net.send(net.keys.org1.orgadmin, 'vote', {id, approve: true})
    expect(net.send(net.keys.org3.user, 'submitVote', {vote: sign(net, id, {}, net.keys.org1.orgadmin)}).error?.code).to.equal('ALREADY_EXISTS')
  })
})

describe('core/chain/governance node-set changes', () => {
  const net = createGovernanceNet()
  const receiptOf = (result: unknown, status: 'ok' | 'failed' = 'ok') =>
    createReceipt({txHash: new Uint8Array(32), status, result: JSON.stringify(result), error: status === 'ok' ? null : {code: 'X', message: 'x'}, gasUsed: 0, events: []})
  const governanceTx = net.tx(net.keys.org1.orgadmin, {contract: 'governance', method: 'vote', args: {id: 1, approve: true}})
  const cases: {name: string; result: unknown; status?: 'ok' | 'failed'; changes: boolean}[] = [
    {name: 'an executed nodes.add', result: {proposal: {status: 'executed', action: {contract: 'nodes', method: 'add', args: {}}}}, changes: true},
    {name: 'an executed nodes.disable', result: {proposal: {status: 'executed', action: {contract: 'nodes', method: 'disable'}}}, changes: true},
    {name: 'a nodes.add still voting', result: {proposal: {status: 'voting', action: {contract: 'nodes', method: 'add'}}}, changes: false},
    {name: 'a failed nodes.add action', result: {proposal: {status: 'failed', action: {contract: 'nodes', method: 'add'}}}, changes: false},
    {name: 'an executed deploy', result: {proposal: {status: 'executed', action: {contract: 'probe', method: 'deploy'}}}, changes: false},
    {name: 'a failed governance tx', result: null, status: 'failed', changes: false},
  ]
  for (const entry of cases) {
    it(`${entry.name}: ${entry.changes ? 'changes' : 'does not change'} the node set`, () => {
      const receipt = receiptOf(entry.result, entry.status)
      expect(executedNodeChange(governanceTx, receipt)).to.equal(entry.changes)
      expect(changesNodeSet([governanceTx], [receipt])).to.equal(entry.changes)
    })
  }
})
