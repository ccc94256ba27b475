import {expect} from 'chai'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import {decodeCanonical, encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {createSigner, generateKeyPair, verify} from '../../../../src/core/crypto/index.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  CERTIFICATE_SIGNATURES_MAX, certificateToDocument, certificateToJson, commitSignBytes, decodeCertificate, encodeCertificate,
  type CommitCertificate,
} from '../../../../src/core/types/certificate.js'

function expectCode(action: () => unknown, code: string, message?: RegExp): void {
  expect(action).to.throw(WichainError).with.property('code', code)
  if (message !== undefined) expect(action).to.throw(message)
}

const validators = [createSigner(generateKeyPair()), createSigner(generateKeyPair())]
const BLOCK_HASH = sm3(new Uint8Array([5]))

function signed(kind: CommitCertificate['kind'], height: number, round: number): CommitCertificate {
  const message = commitSignBytes(kind, height, round, BLOCK_HASH)
  return Object.freeze({
    kind,
    height,
    blockHash: BLOCK_HASH,
    round,
    signatures: validators.map((validator) => ({signer: toHex(validator.publicKey), signature: validator.sign(message)})),
  })
}

function withField(certificate: CommitCertificate, change: Record<string, unknown>): Uint8Array {
  return encodeCanonical({...certificateToDocument(certificate), ...change})
}

describe('core/types/certificate', () => {
  describe('commitSignBytes', () => {
    it('is deterministic, domain-separated, and different for every field', () => {
      const base = commitSignBytes('solo', 1, 0, BLOCK_HASH)
      expect(toHex(commitSignBytes('solo', 1, 0, new Uint8Array(BLOCK_HASH)))).to.equal(toHex(base))
      expect(decodeCanonical(base, 'sign bytes')).to.deep.equal({domain: 'wichain/commit/v1', kind: 'solo', height: 1, round: 0, blockHash: BLOCK_HASH})
      const variants = [
        commitSignBytes('pbft', 1, 0, BLOCK_HASH),
        commitSignBytes('raft', 1, 0, BLOCK_HASH),
        commitSignBytes('solo', 2, 0, BLOCK_HASH),
        commitSignBytes('solo', 1, 1, BLOCK_HASH),
        commitSignBytes('solo', 1, 0, sm3(new Uint8Array([6]))),
      ]
      expect(new Set([base, ...variants].map(toHex)).size).to.equal(variants.length + 1)
    })
  })

  describe('encode / decode', () => {
    it('round-trips for every consensus kind', () => {
      for (const kind of ['solo', 'pbft', 'raft'] as const) {
        const certificate = signed(kind, 9, 3)
        const decoded = decodeCertificate(encodeCertificate(certificate))
        expect(decoded).to.deep.equal(certificate)
        expect(toHex(encodeCertificate(decoded))).to.equal(toHex(encodeCertificate(certificate)))
        const message = commitSignBytes(kind, 9, 3, BLOCK_HASH)
        for (const entry of decoded.signatures) expect(verify(fromHex(entry.signer), message, entry.signature)).to.equal(true)
      }
    })

    it('round-trips a certificate without signatures', () => {
      const empty = {...signed('pbft', 1, 0), signatures: []}
      expect(decodeCertificate(encodeCertificate(empty))).to.deep.equal(empty)
    })

    it('refuses junk bytes', () => {
      const bytes = encodeCertificate(signed('solo', 1, 0))
      for (const junk of [new Uint8Array(0), fromHex('a0'), fromHex('80'), bytes.subarray(1), new Uint8Array([...bytes, 1])]) {
        expectCode(() => decodeCertificate(junk), 'DECODE_ERROR')
      }
    })

    it('refuses malformed fields, naming them', () => {
      const certificate = signed('pbft', 4, 1)
      const document = certificateToDocument(certificate) as {signatures: Array<Record<string, unknown>>}
      const entry = document.signatures[0]!
      expectCode(() => decodeCertificate(withField(certificate, {kind: 'poa'})), 'DECODE_ERROR', /certificate\.kind: expected one of solo, pbft, raft/)
      expectCode(() => decodeCertificate(withField(certificate, {height: -4})), 'DECODE_ERROR', /certificate\.height/)
      expectCode(() => decodeCertificate(withField(certificate, {round: 'one'})), 'DECODE_ERROR', /certificate\.round/)
      expectCode(() => decodeCertificate(withField(certificate, {blockHash: new Uint8Array(31)})), 'DECODE_ERROR', /certificate\.blockHash: expected 32 bytes/)
      expectCode(() => decodeCertificate(withField(certificate, {extra: true})), 'DECODE_ERROR', /certificate: unexpected field "extra"/)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: {}})), 'DECODE_ERROR', /certificate\.signatures: expected an array/)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: [{...entry, signer: (entry.signer as Uint8Array).subarray(1)}]})), 'DECODE_ERROR', /signer: expected 65 bytes/)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: [{...entry, signature: new Uint8Array(63)}]})), 'DECODE_ERROR', /signature: expected 64 bytes/)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: [{signer: entry.signer}]})), 'DECODE_ERROR', /certificate\.signatures\[0\]: missing field "signature"/)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: [toHex(entry.signer as Uint8Array)]})), 'DECODE_ERROR', /certificate\.signatures\[0\]: expected a map/)
      const tooMany = new Array(CERTIFICATE_SIGNATURES_MAX + 1).fill(entry)
      expectCode(() => decodeCertificate(withField(certificate, {signatures: tooMany})), 'DECODE_ERROR', /array longer than/)
    })
  })

  it('certificateToJson shows hashes and signatures in hex', () => {
    const certificate = signed('raft', 3, 7)
    expect(certificateToJson(certificate)).to.deep.equal({
      kind: 'raft',
      height: 3,
      blockHash: toHex(BLOCK_HASH),
      round: 7,
      signatures: certificate.signatures.map((entry) => ({signer: entry.signer, signature: toHex(entry.signature)})),
    })
  })
})
