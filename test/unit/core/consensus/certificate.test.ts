import {expect} from 'chai'
import {
  commitCertificateProblem,
  faultsTolerated,
  pbftCommitSignBytes,
  quorumSize,
  raftCommitSignBytes,
  verifyCommitCertificate,
} from '../../../../src/core/consensus/certificate.js'
import type {CommitCertificate} from '../../../../src/core/consensus/engine.js'
import {createSm2ConsensusCrypto} from '../../../../src/core/consensus/sm2-crypto.js'
import {FakeKeyring} from '../../../../src/core/consensus/sim/crypto.js'
import {generateKeyPair} from '../../../../src/core/crypto/sm2.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {commitSignBytes} from '../../../../src/core/types/certificate.js'

const ids = ['v0', 'v1', 'v2', 'v3']
const keyring = new FakeKeyring([...ids, 'outsider'], 7)
const verify = keyring.verify.bind(keyring)
const blockHash = sm3(new Uint8Array([1, 2, 3]))

function pbftCertificate(signers: readonly string[], round = 2): CommitCertificate {
  const message = pbftCommitSignBytes(5, round, blockHash)
  return {kind: 'pbft', height: 5, round, blockHash, signatures: signers.map((signer) => ({signer, signature: keyring.cryptoFor(signer).sign(message)}))}
}

describe('commit certificates', () => {
  it('quorum is n - f: 2f+1 when n = 3f+1, and two quorums always share an honest validator', () => {
    const table = [1, 2, 3, 4, 5, 6, 7, 10].map((n) => [n, faultsTolerated(n), quorumSize(n)])
    expect(table).to.deep.equal([[1, 0, 1], [2, 0, 2], [3, 0, 3], [4, 1, 3], [5, 1, 4], [6, 1, 5], [7, 2, 5], [10, 3, 7]])
    for (let n = 1; n <= 100; n++) expect(2 * quorumSize(n) - n, `n=${n}`).to.be.at.least(faultsTolerated(n) + 1)
  })

  it('signs the project-wide commit bytes, which bind kind, height, round and hash', () => {
    expect(pbftCommitSignBytes(5, 2, blockHash)).to.deep.equal(commitSignBytes('pbft', 5, 2, blockHash))
    const variants = [pbftCommitSignBytes(5, 3, blockHash), pbftCommitSignBytes(6, 2, blockHash), raftCommitSignBytes(5, 2, blockHash)]
    for (const other of variants) expect(other).to.not.deep.equal(pbftCommitSignBytes(5, 2, blockHash))
  })

  it('accepts 2f+1 distinct validator signatures', () => {
    expect(commitCertificateProblem(pbftCertificate(['v0', 'v2', 'v3']), ids, verify)).to.equal(undefined)
    expect(() => verifyCommitCertificate(pbftCertificate(ids), ids, verify)).to.not.throw()
  })

  it('rejects too few, duplicated, tampered or non-validator signatures', () => {
    const tampered = pbftCertificate(['v0', 'v1', 'v2'])
    const flipped = {...tampered, signatures: tampered.signatures.map((entry, index) => (index === 1 ? {...entry, signature: entry.signature.map((byte) => byte ^ 0x80)} : entry))}
    const duplicated = pbftCertificate(['v0', 'v1'])
    const cases: [CommitCertificate, RegExp][] = [
      [pbftCertificate(['v0', 'v1']), /only 2 signatures, 3 needed/],
      [{...duplicated, signatures: [...duplicated.signatures, duplicated.signatures[0]!]}, /duplicate/],
      [flipped, /bad signature by v1/],
      [pbftCertificate(['v0', 'v1', 'outsider']), /not a validator/],
      [{...pbftCertificate(ids), round: 3}, /bad signature/],
      [{...pbftCertificate(ids), blockHash: sm3(new Uint8Array([9]))}, /bad signature/],
      [{...pbftCertificate(ids), height: 0}, /height/],
    ]
    for (const [certificate, reason] of cases) {
      expect(commitCertificateProblem(certificate, ids, verify)).to.match(reason)
      expect(() => verifyCommitCertificate(certificate, ids, verify)).to.throw(WichainError, reason)
    }
  })

  it('a raft certificate is exactly one validator signature over (height, term, hash)', () => {
    const signature = keyring.cryptoFor('v1').sign(raftCommitSignBytes(5, 9, blockHash))
    const certificate: CommitCertificate = {kind: 'raft', height: 5, round: 9, blockHash, signatures: [{signer: 'v1', signature}]}
    expect(commitCertificateProblem(certificate, ids, verify)).to.equal(undefined)
    expect(commitCertificateProblem({...certificate, round: 8}, ids, verify)).to.match(/bad signature/)
    expect(commitCertificateProblem(certificate, ['v0', 'v2'], verify)).to.match(/not a validator/)
    expect(commitCertificateProblem({...certificate, signatures: []}, ids, verify)).to.match(/exactly one/)
  })

  it('verifies with real SM2 keys as well', () => {
    const crypto = createSm2ConsensusCrypto(generateKeyPair())
    const signature = crypto.sign(raftCommitSignBytes(1, 1, blockHash))
    const certificate: CommitCertificate = {kind: 'raft', height: 1, round: 1, blockHash, signatures: [{signer: crypto.self, signature}]}
    expect(() => verifyCommitCertificate(certificate, [crypto.self], crypto.verify)).to.not.throw()
    expect(crypto.verify('not hex', new Uint8Array(1), signature)).to.equal(false)
    expect(() => verifyCommitCertificate({...certificate, round: 2}, [crypto.self], crypto.verify)).to.throw(/does not verify|bad signature/)
  })
})
