/**
 * The backup walker follows node-set changes: on a PBFT chain where a validator is added (and
 * then votes) and another removed, every certificate of a backup read from the genesis is
 * checked against the validators of its height — none falls back to signature-only.
 */
import {expect} from 'chai'
import {encodeBlock} from '../../../src/core/types/block.js'
import {encodeCertificate} from '../../../src/core/types/certificate.js'
import {BlockWalker} from '../../../src/ops/backup/check.js'
import {buildChangingChain, type ChangingChain} from '../core/chain/membership-fixture.js'

describe('ops/backup: certificates checked across node-set changes', function () {
  this.timeout(60_000)
  let fixture: ChangingChain

  before(async () => {
    fixture = await buildChangingChain('wi-backup-members')
  })
  after(() => fixture.cluster.close())

  it('checks every certificate against the validators of its height, the added validator\'s vote included', async () => {
    const chain = fixture.chains[0]!
    const genesisHash = (await chain.getBlock(0))!.hash
    const walker = new BlockWalker(fixture.genesis, {height: 0, hash: genesisHash, validators: BlockWalker.genesisValidators(fixture.genesis)}, {verifySignatures: true})
    const head = chain.head().height
    for (let height = 1; height <= head; height++) {
      const block = (await chain.getBlock(height))!
      const certificate = (await chain.getCertificate(height))!
      walker.next({payload: encodeBlock(block), certificate: encodeCertificate(certificate)}, `block ${height}`)
    }
    expect(head).to.be.at.least(fixture.heights.after)
    expect(walker.certificatesSignatureOnly).to.equal(0)
    expect(walker.certificatesAgainstValidators).to.equal(head)
  })
})
