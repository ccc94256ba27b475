import {expect} from 'chai'
import {toHex} from '../../../../../src/core/bytes.js'
import {createSignedVote, SIGNED_VOTE_TYPE, verifySignedVote} from '../../../../../src/core/chain/governance/votes.js'
import {createSigner, generateKeyPair} from '../../../../../src/core/crypto/index.js'

describe('core/chain/governance/votes (offline signed votes)', () => {
  const signer = createSigner(generateKeyPair())
  const other = createSigner(generateKeyPair())
  const request = {chainId: 'gov-chain', proposalId: 7, approve: true, expiryHeight: 120}
  const document = createSignedVote(signer, request)

  it('writes a document that survives JSON and verifies to the voter', () => {
    expect(document).to.include({type: SIGNED_VOTE_TYPE, version: 1, ...request, publicKey: toHex(signer.publicKey)})
    const verified = verifySignedVote(JSON.parse(JSON.stringify(document)) as unknown)
    expect(verified).to.include({...request, voter: signer.address, signature: document.signature})
  })

  const tampered: {name: string; change: Record<string, unknown>; code: string}[] = [
    {name: 'approve flipped', change: {approve: false}, code: 'BAD_SIGNATURE'},
    {name: 'another proposal', change: {proposalId: 8}, code: 'BAD_SIGNATURE'},
    {name: 'another chain', change: {chainId: 'other'}, code: 'BAD_SIGNATURE'},
    {name: 'a later expiry', change: {expiryHeight: 121}, code: 'BAD_SIGNATURE'},
    {name: 'another key named', change: {publicKey: toHex(other.publicKey)}, code: 'BAD_SIGNATURE'},
    {name: 'a signature of other bytes', change: {signature: toHex(signer.sign(new Uint8Array([1, 2, 3])))}, code: 'BAD_SIGNATURE'},
    {name: 'a key off the curve', change: {publicKey: `04${'11'.repeat(64)}`}, code: 'BAD_SIGNATURE'},
    {name: 'a short signature', change: {signature: 'ab'}, code: 'INVALID_ARGUMENT'},
    {name: 'an unknown field', change: {carrier: 'x'}, code: 'INVALID_ARGUMENT'},
    {name: 'a wrong type', change: {type: 'wichain-tx'}, code: 'INVALID_ARGUMENT'},
    {name: 'a proposal id 0', change: {proposalId: 0}, code: 'INVALID_ARGUMENT'},
    {name: 'approve as text', change: {approve: 'true'}, code: 'INVALID_ARGUMENT'},
  ]
  for (const entry of tampered) {
    it(`refuses ${entry.name} (${entry.code})`, () => {
      expect(() => verifySignedVote({...document, ...entry.change})).to.throw().with.property('code', entry.code)
    })
  }

  it('refuses to sign a malformed request', () => {
    expect(() => createSignedVote(signer, {...request, proposalId: -1})).to.throw().with.property('code', 'INVALID_ARGUMENT')
  })
})
