/**
 * Consortium governance end to end through the binary (issue 10's "done when"): three
 * organisations, four PBFT nodes. Roles are enforced (a user cannot deploy, add a node or vote; an
 * auditor's writes are refused with UNAUTHORIZED); a devops deploy under the default MAJORITY
 * policy waits (`--wait`) until two of three org admins approve, one online and one by an
 * offline-signed vote another account carries; a node-add by one org admin alone stays voting; a
 * proposal past its expiry cannot pass; a revoked or disabled account is refused at once; forged,
 * replayed and expired signed votes are refused; `policy list` prints the default table; a user
 * may not read metrics, archive or back up, an auditor of another organisation reads, exports a
 * certificate, archives and backs up.
 */
import {expect} from 'chai'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {DEFAULT_RESOURCES} from '../../src/core/authz/resources.js'
import {ERROR_CODES} from '../../src/core/errors.js'
import {ok, Sandbox, waitFor, wichain} from './harness.js'
import {assemble, SPINNER_WAT} from './wasm-fixture.js'

type Role = 'orgadmin' | 'auditor' | 'user' | 'devops'

describe('e2e: consortium governance (3 organisations, 4 PBFT nodes)', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const key = (org: number, role: Role) => box.path('net', 'orgs', `org${org}`, `${role}.json`)
  const home = ['--home', box.path('net', 'node0')]
  const as = (org: number, role: Role) => [...home, '--key', key(org, role)]
  const wasm = box.path('tiny.wasm')
  let nodeKey: string
  let evidenceCount = 0
  const evidence = (signer: string[]) => ['tx', 'send', ...signer, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: `e-${++evidenceCount}`, hash: 'ab'.repeat(32)})]

  /** Runs a command that must fail; its exit code must be the code's. */
  const refused = async (args: string[], code: string) => {
    const result = await wichain([...args, '--json'])
    expect(result.json?.error?.code, result.stdout + result.stderr).to.equal(code)
    expect(result.code).to.equal(ERROR_CODES[code as keyof typeof ERROR_CODES].exit)
    return result.json.error as {code: string; message: string}
  }

  before(async () => {
    await ok(['chain', 'init', '--orgs', '3', '--nodes', '4', '--consensus', 'pbft', '--plaintext', '--out', box.path('net'), '--chain-id', 'wi-gov', '--base-port', '0', '--template', 'dev'])
    await Promise.all([0, 1, 2, 3].map((index) => ok(['node', 'start', '--home', box.path('net', `node${index}`), '--detach'])))
    writeFileSync(wasm, assemble(SPINNER_WAT))
    nodeKey = (await ok(['key', 'gen', '--out', box.path('node4.key.json'), '--plaintext'])).publicKey
  })

  after(() => box.cleanup())

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return
    const log = box.path('net', 'node0', 'node.log')
    if (existsSync(log)) process.stderr.write(`--- node.log (tail) ---\n${readFileSync(log, 'utf8').slice(-4000)}\n`)
  })

  it('prints the default policy table with `policy list`', async () => {
    const {resources} = await ok(['policy', 'list', ...home])
    expect(resources.map((entry: {resource: string}) => entry.resource)).to.have.members(Object.keys(DEFAULT_RESOURCES))
    for (const entry of resources) {
      expect(entry.overridden, entry.resource).to.equal(false)
      expect(entry.policy, entry.resource).to.deep.equal({...DEFAULT_RESOURCES[entry.resource]!.policy})
    }
    expect(resources.find((entry: {resource: string}) => entry.resource === 'contracts.deploy').text).to.equal('MAJORITY of orgadmin')
    const chain = await ok(['org', 'list', ...home])
    expect(chain.orgs.map((org: {id: string}) => org.id)).to.deep.equal(['org1', 'org2', 'org3'])
  })

  it('refuses a user\'s deploy, node add and vote, and every write an auditor tries, with UNAUTHORIZED', async () => {
    await refused(['contract', 'deploy', ...as(1, 'user'), '--name', 'nope', '--wasm', wasm], 'UNAUTHORIZED')
    await refused(['node', 'add', ...as(1, 'user'), '--org', 'org1', '--public-key', nodeKey, '--name', 'node4'], 'UNAUTHORIZED')
    await refused(['contract', 'deploy', ...as(2, 'auditor'), '--name', 'nope', '--wasm', wasm], 'UNAUTHORIZED')
    await refused(evidence(as(2, 'auditor')), 'UNAUTHORIZED')
    await refused(['account', 'create', ...as(2, 'auditor'), '--name', 'x', '--roles', 'user', '--out', box.path('x.json'), '--plaintext'], 'UNAUTHORIZED')
    // A vote needs a proposal: one org admin opens a node add, which one signature cannot pass.
    const opened = await ok(['node', 'add', ...as(1, 'orgadmin'), '--org', 'org1', '--public-key', nodeKey, '--name', 'node4'])
    expect(opened.proposal).to.include({status: 'voting', needs: 1, resource: 'nodes.add'})
    await refused(['proposal', 'vote', String(opened.proposal.id), '--approve', ...as(2, 'user')], 'UNAUTHORIZED')
    await refused(['proposal', 'vote', String(opened.proposal.id), '--approve', ...as(3, 'auditor')], 'UNAUTHORIZED')
    await ok(['tx', 'send', ...as(1, 'user'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'user-ok', hash: 'cd'.repeat(32)})])
  })

  it('keeps a node add by one org admin alone voting, and counts an offline vote once; forged, replayed and expired votes are refused', async () => {
    const opened = await ok(['node', 'add', ...as(1, 'orgadmin'), '--org', 'org1', '--public-key', nodeKey, '--name', 'node4b'])
    const id = String(opened.proposal.id)
    const shown = await ok(['proposal', 'show', id, ...home])
    expect(shown).to.include({status: 'voting', needs: 1, policyText: 'MAJORITY of orgadmin'})
    expect(shown.clauses).to.have.length(1)
    expect(shown.clauses[0]).to.include({org: 'org1', approve: true, counted: true, reason: 'role orgadmin'})

    // An expired vote: signed air-gapped (no node) with an expiry height already past.
    await ok(['proposal', 'sign', id, '--key', key(3, 'orgadmin'), '--chain-id', 'wi-gov', '--expiry-height', '1', '--out', box.path('expired.json')])
    await refused(['proposal', 'submit-vote', box.path('expired.json'), ...as(2, 'user')], 'VOTE_EXPIRED')
    // A forged vote: org2's admin's vote with one signature byte changed.
    const signed = await ok(['proposal', 'sign', id, '--reject', ...as(2, 'orgadmin'), '--out', box.path('reject.json')])
    expect(signed).to.include({approve: false, proposalId: Number(id), chainId: 'wi-gov'})
    const document = JSON.parse(readFileSync(box.path('reject.json'), 'utf8'))
    const flipped = (Number.parseInt(document.signature.slice(0, 2), 16) ^ 0x01).toString(16).padStart(2, '0')
    writeFileSync(box.path('forged.json'), JSON.stringify({...document, signature: flipped + document.signature.slice(2)}))
    await refused(['proposal', 'submit-vote', box.path('forged.json'), ...as(3, 'user')], 'BAD_SIGNATURE')
    // The real one counts (a rejection by org2: two organisations may still approve), once.
    const carried = await ok(['proposal', 'submit-vote', box.path('reject.json'), ...as(3, 'user')])
    expect(carried.proposal).to.include({status: 'voting', needs: 1})
    await refused(['proposal', 'submit-vote', box.path('reject.json'), ...as(3, 'user')], 'ALREADY_EXISTS')
    const after = await ok(['proposal', 'show', id, ...home])
    expect(after.evaluation.rejectedBy).to.deep.equal(['org2'])
    expect(after.clauses[1]).to.include({org: 'org2', approve: false, offline: true, counted: true})
    // Its proposer withdraws it.
    expect((await ok(['proposal', 'revoke', id, ...as(1, 'orgadmin')])).proposal.status).to.equal('revoked')
  })

  it('runs a devops deploy once 2 of 3 org admins approve (one online, one offline carried by another account)', async () => {
    // The devops's command waits for the outcome while the admins vote.
    const deploying = wichain(['contract', 'deploy', ...as(1, 'devops'), '--name', 'tiny', '--wasm', wasm, '--wait', '--timeout-ms', '60000', '--json'])
    let id = 0
    await waitFor(async () => {
      const {proposals} = await ok(['proposal', 'list', ...home, '--status', 'voting'])
      id = proposals.find((proposal: {resource: string}) => proposal.resource === 'contracts.deploy')?.id ?? 0
      return id !== 0
    }, 30_000, 'the deploy proposal')
    const first = await ok(['proposal', 'vote', String(id), '--approve', ...as(1, 'orgadmin')])
    expect(first.proposal).to.include({status: 'voting', needs: 1})
    await refused(['contract', 'query', ...as(1, 'user'), '--name', 'tiny', '--method', 'get'], 'UNKNOWN_CONTRACT')
    await ok(['proposal', 'sign', String(id), ...as(2, 'orgadmin'), '--out', box.path('approve.json')])
    const second = await ok(['proposal', 'submit-vote', box.path('approve.json'), ...as(3, 'user')])
    expect(second.proposal).to.include({status: 'executed', needs: 0})
    const deployed = await deploying
    expect(deployed.code, deployed.stdout + deployed.stderr).to.equal(0)
    expect(deployed.json.contract).to.include({name: 'tiny', version: 1})
    expect(deployed.json.proposal).to.include({id, status: 'executed'})
    await ok(['contract', 'call', ...as(1, 'user'), '--name', 'tiny', '--method', 'set'])
    expect((await ok(['contract', 'query', ...as(1, 'user'), '--name', 'tiny', '--method', 'get'])).result).to.equal(1)
    const shown = await ok(['proposal', 'show', String(id), ...home])
    expect(shown.evaluation.approvedBy).to.deep.equal(['org1', 'org2'])
    expect(shown.clauses.map((clause: {counted: boolean}) => clause.counted)).to.deep.equal([false, true, true])
  })

  it('lets no proposal pass after its expiry height', async () => {
    const opened = await ok(['contract', 'freeze', ...as(1, 'orgadmin'), '--name', 'tiny', '--expiry-blocks', '1'])
    expect(opened.proposal).to.include({status: 'voting', needs: 1})
    // Two more blocks: the proposal's expiry height is behind.
    await ok(evidence(as(1, 'user')))
    await ok(evidence(as(1, 'user')))
    await refused(['proposal', 'vote', String(opened.proposal.id), '--approve', ...as(2, 'orgadmin')], 'PROPOSAL_EXPIRED')
    expect((await ok(['proposal', 'show', String(opened.proposal.id), ...home])).status).to.equal('expired')
    expect((await ok(['contract', 'query', ...as(1, 'user'), '--name', 'tiny', '--method', 'get'])).result).to.equal(1)
  })

  it('refuses a revoked role and a disabled account at once', async () => {
    const created = await ok(['account', 'create', ...as(1, 'orgadmin'), '--name', 'alice', '--roles', 'user,devops', '--out', box.path('alice.json'), '--plaintext'])
    expect(created.account).to.include({org: 'org1', name: 'alice'})
    expect(created.account.roles).to.deep.equal(['devops', 'user'])
    expect(created.warnings).to.have.length(1)
    const alice = ['--home', box.path('net', 'node0'), '--key', box.path('alice.json')]
    const address = created.account.address as string
    await ok(evidence(alice))
    const revoked = await ok(['account', 'revoke', ...as(1, 'orgadmin'), '--address', address, '--role', 'user'])
    expect(revoked.account.roles).to.deep.equal(['devops'])
    const refusal = await refused(evidence(alice), 'UNAUTHORIZED')
    expect(refusal.message).to.not.match(/failed:/) // at admission, not as a committed failure
    const shown = await ok(['account', 'show', ...home, '--address', address])
    expect(shown).to.include({org: 'org1', disabled: false})
    expect((await ok(['account', 'list', ...home, '--org', 'org1'])).accounts.map((entry: {address: string}) => entry.address)).to.include(address)
    // org2's admin cannot disable org1's account alone: a cross-org proposal.
    const crossOrg = await ok(['account', 'disable', ...as(2, 'orgadmin'), '--address', address])
    expect(crossOrg.proposal).to.include({status: 'voting', resource: 'accounts.disable.cross-org'})
    // org1's own admin does it at once.
    const disabled = await ok(['account', 'disable', ...as(1, 'orgadmin'), '--address', address, '--reason', 'key leaked'])
    expect(disabled.account.disabled).to.include({reason: 'key leaked'})
    await ok(['account', 'grant', ...as(1, 'orgadmin'), '--address', address, '--role', 'user'])
    await refused(evidence(alice), 'ACCOUNT_DISABLED')
    expect((await ok(['account', 'status', ...home, '--address', address])).disabled).to.equal(true)
  })

  it('reads and node operations follow the roles: a user may not read metrics or archive; an auditor reads, exports certificates, archives and backs up', async () => {
    const sent = await ok(evidence(as(2, 'user')))
    // A user: business reads yes, node operations no.
    expect((await ok(['tx', 'get', sent.txHash, ...as(2, 'user')])).status).to.equal('ok')
    await refused(['node', 'metrics', ...as(2, 'user')], 'UNAUTHORIZED')
    await refused(['archive', 'run', ...as(2, 'user'), '--below', '1'], 'UNAUTHORIZED')
    await refused(['backup', 'create', ...as(2, 'user'), '--out', box.path('by-user.wbk')], 'UNAUTHORIZED')
    // An auditor of another organisation: reads blocks and txs, exports the certificate, monitors,
    // archives and takes a backup.
    const auditor = as(3, 'auditor')
    const tx = await ok(['tx', 'get', sent.txHash, ...auditor])
    expect((await ok(['block', 'get', String(tx.height), ...auditor])).height).to.equal(tx.height)
    await ok(['tx', 'proof', sent.txHash, ...auditor, '--out', box.path('cert.json')])
    expect(existsSync(box.path('cert.json'))).to.equal(true)
    expect((await ok(['node', 'metrics', ...auditor])).samples.length).to.be.above(0)
    await ok(['archive', 'run', ...auditor, '--below', '1'])
    const backup = await ok(['backup', 'create', ...auditor, '--out', box.path('by-auditor.wbk')])
    expect(backup.blocks).to.be.above(0)
    expect((await ok(['backup', 'verify', box.path('by-auditor.wbk')])).valid).to.equal(true)
  })

  it('changes a chain parameter by proposal: voting after one org admin, in force once a second approves', async () => {
    const opened = await ok(['params', 'set', 'txExpiryWindow', '500', ...as(1, 'orgadmin')])
    expect(opened.proposal).to.include({status: 'voting', resource: 'chain.params'})
    expect((await ok(['params', 'show', ...home])).params.txExpiryWindow).to.not.equal(500)
    const voted = await ok(['proposal', 'vote', String(opened.proposal.id), '--approve', ...as(3, 'orgadmin')])
    expect(voted.proposal.status).to.equal('executed')
    expect((await ok(['params', 'show', ...home])).params.txExpiryWindow).to.equal(500)
    await refused(['params', 'set', 'blockTxsMax', '10', ...as(1, 'user')], 'UNAUTHORIZED')
  })
})
