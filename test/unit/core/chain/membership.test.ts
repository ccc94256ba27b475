/**
 * Offline certificates across node-set changes: an in-process PBFT cluster adds a fifth
 * validator (whose vote then commits a block) and removes one; certificates of later blocks
 * carry the membership chain and verify against the genesis alone. Tampered, missing or
 * reordered links fail, and so do signatures of a validator after its removal.
 */
import {expect} from 'chai'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import type {Chain} from '../../../../src/core/chain/chain.js'
import {applyMembershipChange, createNodesContract, NODES_CHANGE_METHODS, NODES_CHANGES_PAGE_MAX, validatorsOf} from '../../../../src/core/chain/contracts/nodes.js'
import {parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {followMembershipLink, genesisMembers, MEMBERSHIP_LIMITS, validatorsAt, type MembershipLink} from '../../../../src/core/chain/membership.js'
import {TX_CERTIFICATE_FORMAT_V1, verifyTxCertificate, type TxCertificate} from '../../../../src/core/chain/tx-certificate.js'
import {createSigner} from '../../../../src/core/crypto/index.js'
import {decodeHeader, encodeHeader, hashHeader} from '../../../../src/core/types/block.js'
import {commitSignBytes, decodeCertificate, encodeCertificate} from '../../../../src/core/types/certificate.js'
import {buildChangingChain, STEPS, type ChangingChain, type Step} from './membership-fixture.js'

describe('core/chain/membership: certificates across node-set changes', function () {
  this.timeout(60_000)
  let fixture: ChangingChain
  let chains: Chain[]
  let genesis: Genesis
  let heights: ChangingChain['heights']
  let ids: readonly string[]
  let nodeKeys: ChangingChain['nodeKeys']

  const certificateOf = async (step: Step): Promise<TxCertificate> =>
    JSON.parse(JSON.stringify(await chains[0]!.getTxCertificate(fixture.txs[step].hashHex))) as TxCertificate

  function expectInvalid(document: unknown, reason: RegExp): void {
    const check = verifyTxCertificate(document, genesis)
    expect(check.valid, JSON.stringify(check)).to.equal(false)
    expect(check.reason, check.reason).to.match(reason)
  }

  before(async () => {
    fixture = await buildChangingChain('wi-members')
    ;({chains, genesis, heights, ids, nodeKeys} = fixture)
  })
  after(() => fixture.cluster.close())

  it('indexes the heights that changed the node set in the nodes contract', () => {
    expect(chains[0]!.query('nodes', 'changes', {})).to.deep.equal({total: 2, heights: [heights.add, heights.remove]})
    expect(chains[0]!.query('nodes', 'changes', {start: 1, count: 1})).to.deep.equal({total: 2, heights: [heights.remove]})
    expect(() => chains[0]!.query('nodes', 'changes', {count: NODES_CHANGES_PAGE_MAX + 1})).to.throw(/count/)
  })

  it('exports certificates that verify against the genesis alone, before and after each change', async () => {
    const expected: Record<Step, number> = {before: 0, add: 0, voted: 1, remove: 1, after: 2}
    for (const name of STEPS) {
      const certificate = await certificateOf(name)
      expect(certificate.membership, name).to.have.length(expected[name])
      expect(verifyTxCertificate(certificate, genesis), name).to.deep.include({valid: true, height: heights[name], membershipChanges: expected[name]})
    }
    const voted = await certificateOf('voted')
    expect(decodeCertificate(fromHex(voted.certificate)).signatures.map((entry) => entry.signer)).to.include(ids[4])
  })

  it('fails closed without the chain: a format-1 copy names the new validator as a stranger', async () => {
    const voted = await certificateOf('voted')
    expectInvalid({...voted, format: TX_CERTIFICATE_FORMAT_V1, membership: undefined}, /signer .* is not a validator/)
  })

  it('refuses tampered, missing, reordered or misplaced links', async () => {
    const after = await certificateOf('after')
    const [add, remove] = after.membership! as MembershipLink[]
    const withLinks = (links: unknown) => ({...after, membership: links})
    // Without the removal, five validators need four signatures; the block has three.
    expectInvalid(withLinks([add]), /only 3 signatures, 4 needed/)
    expectInvalid(withLinks([remove]), /membership link at height .*: commit certificate: signer .* is not a validator/)
    expectInvalid(withLinks([remove, add]), /heights must increase/)
    expectInvalid(withLinks([add, add, remove]), /heights must increase/)
    expectInvalid(withLinks([add, {...remove, height: heights.after}]), /stay below the certified block/)
    expectInvalid(withLinks('links'), /membership must be a list/)
    expectInvalid(withLinks([add, null]), /membership link/)
    const header = decodeHeader(fromHex(add!.header))
    const otherHeader = toHex(encodeHeader({...header, timestamp: header.timestamp + 1}))
    expectInvalid(withLinks([{...add, header: otherHeader}, remove]), /commit certificate is for another block/)
    expectInvalid(withLinks([{...add, changes: []}, remove]), /changes must be a list/)
    const change = add!.changes[0]!
    expectInvalid(withLinks([{...add, changes: [{...change, tx: remove!.changes[0]!.tx}]}, remove]), /has no ok receipt/)
    expectInvalid(withLinks([{...add, changes: [{...change, receipt: remove!.changes[0]!.receipt, tx: remove!.changes[0]!.tx}]}, remove]), /is not in the block/)
    expectInvalid(withLinks([{...add, changes: [{...change, txProof: {...change.txProof, index: 1}}]}, remove]), /not in block order|not in the block/)
    expectInvalid(withLinks([{...add, changes: [change, change]}, remove]), /not in block order/)
    expectInvalid(withLinks([{...add, changes: [{...change, receiptProof: null}]}, remove]), /has no proofs/)
    // The header of a block that changed nothing, certified by its own commit certificate.
    const plain = await certificateOf('before')
    expectInvalid(withLinks([{...add, header: plain.header, certificate: plain.certificate, height: heights.before}, remove]), /is not in the block/)
  })

  it('refuses a certificate signed by a validator after its removal', async () => {
    const after = await certificateOf('after')
    const header = decodeHeader(fromHex(after.header))
    const blockHash = hashHeader(header)
    const signers = [1, 2, 3].map((index) => createSigner(nodeKeys[index]!))
    const message = commitSignBytes('pbft', header.height, header.round, blockHash)
    const forged = {kind: 'pbft' as const, height: header.height, round: header.round, blockHash, signatures: signers.map((signer) => ({signer: toHex(signer.publicKey), signature: signer.sign(message)}))}
    // The genesis set alone (a format-1 reading) would take three of its four validators...
    expect(verifyTxCertificate({...after, certificate: toHex(encodeCertificate(forged)), format: TX_CERTIFICATE_FORMAT_V1, membership: undefined}, genesis).valid).to.equal(true)
    // ...but with the membership chain node 3 is no longer a validator at that height.
    expectInvalid({...after, certificate: toHex(encodeCertificate(forged))}, /signer .* is not a validator/)
  })

  it('replays changes only when the genesis allows their signer', async () => {
    const link = (await certificateOf('after')).membership![0]!
    expect(followMembershipLink(link, genesisMembers(genesis), genesis).map((member) => member.publicKey)).to.deep.equal(ids)
    const demoted = parseGenesis({...fixture.document, accounts: [fixture.account('admin', 'user', fixture.admin), fixture.account('user', 'user', fixture.user)]})
    expect(() => followMembershipLink(link, genesisMembers(demoted), demoted)).to.throw(/not signed by an account the genesis allows/)
    expect(() => validatorsAt(new Array(MEMBERSHIP_LIMITS.linksMax + 1).fill(link), genesis, heights.after)).to.throw(/at most/)
  })

  it('applies a change with the nodes contract\'s own method', () => {
    const context = {chainId: 'wi-members', height: 9, blockTime: 0, txHash: '', sender: {address: fixture.admin.address, publicKey: '', role: 'orgadmin' as const}}
    const members = genesisMembers(genesis)
    const added = applyMembershipChange(members, 'add', {publicKey: ids[4], name: 'node4', role: 'observer'}, context)
    expect(added.map((member) => member.role)).to.deep.equal(['validator', 'validator', 'validator', 'validator', 'observer'])
    expect(applyMembershipChange(added, 'remove', {publicKey: ids[0]}, context).map((member) => member.publicKey)).to.deep.equal(ids.slice(1))
    expect(members).to.have.length(4)
    // Every method in NODES_CHANGE_METHODS replays, e.g. disable / enable (incident response).
    for (const method of NODES_CHANGE_METHODS) expect(createNodesContract([]).methods[method]).to.not.equal(undefined)
    const disabled = applyMembershipChange(members, 'disable', {publicKey: ids[0]}, context)
    expect(validatorsOf(disabled)).to.deep.equal(ids.slice(1, 4))
    expect(validatorsOf(applyMembershipChange(disabled, 'enable', {publicKey: ids[0]}, context))).to.deep.equal(ids.slice(0, 4))
    expect(() => applyMembershipChange(members, 'list', {}, context)).to.throw(/does not change the node set/)
    expect(() => applyMembershipChange(members, 'add', {publicKey: ids[0], name: 'again'}, context)).to.throw(/already a member/)
  })
})
