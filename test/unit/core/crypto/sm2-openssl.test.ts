/**
 * Interoperability with the openssl CLI (OpenSSL 3): it verifies our signatures against our SPKI
 * PEM, signs with our PKCS#8 PEM for us to verify, reads our keys, and decrypts our SM2
 * ciphertext once re-encoded in its ASN.1 form. Skipped only where no openssl binary exists.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'chai'
import {toHex, utf8} from '../../../../src/core/bytes.js'
import {
  decodeUnsignedInteger, encodeElement, encodeSequence, encodeUnsignedInteger, expectTag, readChildren, readOnly, TAG,
} from '../../../../src/core/crypto/der.js'
import {
  decrypt, encrypt, generateKeyPair, privateKeyFromPem, privateKeyToPem, publicKeyFromSpki, publicKeyToPem, sign,
  signatureFromDer, signatureToDer, verify,
} from '../../../../src/core/crypto/sm2.js'

const SM2_SIGN_OPTIONS = ['-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678']

function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], {stdio: 'ignore'}).status === 0
}

function openssl(args: string[]): {status: number | null; stdout: string; stderr: string} {
  const result = spawnSync('openssl', args, {encoding: 'utf8', timeout: 20_000})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

/** GM/T 0009 ASN.1 ciphertext: SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }. */
function ciphertextToAsn1(ciphertext: Uint8Array): Uint8Array {
  return encodeSequence(
    encodeUnsignedInteger(ciphertext.subarray(1, 33)),
    encodeUnsignedInteger(ciphertext.subarray(33, 65)),
    encodeElement(TAG.octetString, ciphertext.subarray(65, 97)),
    encodeElement(TAG.octetString, ciphertext.subarray(97)),
  )
}

function ciphertextFromAsn1(der: Uint8Array): Uint8Array {
  const [x, y, hash, body] = readChildren(readOnly(der, TAG.sequence, 'SM2 ciphertext'))
  return Uint8Array.of(
    0x04,
    ...decodeUnsignedInteger(expectTag(x, TAG.integer, 'x'), 32, 'x'),
    ...decodeUnsignedInteger(expectTag(y, TAG.integer, 'y'), 32, 'y'),
    ...expectTag(hash, TAG.octetString, 'hash'),
    ...expectTag(body, TAG.octetString, 'ciphertext'),
  )
}

describe('core/crypto/sm2 with the openssl CLI', function () {
  let directory = ''
  const keyPair = generateKeyPair()
  const message = utf8('工伤保险 {"claim":"2026-0001","amountFen":1250000}')

  before(function () {
    if (!opensslAvailable()) this.skip()
    directory = mkdtempSync(join(tmpdir(), 'wichain-sm2-openssl-'))
    writeFileSync(join(directory, 'public.pem'), publicKeyToPem(keyPair.publicKey))
    writeFileSync(join(directory, 'private.pem'), privateKeyToPem(keyPair))
    writeFileSync(join(directory, 'message'), message)
  })

  after(() => {
    if (directory !== '') rmSync(directory, {recursive: true, force: true})
  })

  const path = (name: string): string => join(directory, name)

  it('openssl reads our public and private key PEMs as SM2 keys with the same point', () => {
    const fromPrivate = execFileSync('openssl', ['pkey', '-in', path('private.pem'), '-pubout'], {encoding: 'utf8'})
    expect(fromPrivate).to.equal(publicKeyToPem(keyPair.publicKey))
    const text = execFileSync('openssl', ['pkey', '-pubin', '-in', path('public.pem'), '-noout', '-text'], {encoding: 'utf8'})
    expect(text).to.match(/SM2/)
    expect(toHex(publicKeyFromSpki(fromPrivate))).to.equal(toHex(keyPair.publicKey))
  })

  it('openssl verifies our signature, and rejects it for a changed message', () => {
    writeFileSync(path('signature.der'), signatureToDer(sign(keyPair.privateKey, message)))
    const accepted = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', path('public.pem'), '-in', path('message'),
      '-sigfile', path('signature.der'), ...SM2_SIGN_OPTIONS])
    expect(accepted.status, accepted.stderr).to.equal(0)
    expect(accepted.stdout).to.match(/Signature Verified Successfully/)

    writeFileSync(path('other-message'), utf8('工伤保险 {"claim":"2026-0001","amountFen":9250000}'))
    const rejected = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', path('public.pem'), '-in', path('other-message'),
      '-sigfile', path('signature.der'), ...SM2_SIGN_OPTIONS])
    expect(rejected.status).to.not.equal(0)
  })

  it('openssl signs with our private key PEM and we verify the result', () => {
    const result = openssl(['pkeyutl', '-sign', '-inkey', path('private.pem'), '-in', path('message'),
      '-out', path('openssl-signature.der'), ...SM2_SIGN_OPTIONS])
    expect(result.status, result.stderr).to.equal(0)
    const signature = signatureFromDer(new Uint8Array(readFileSync(path('openssl-signature.der'))))
    expect(verify(keyPair.publicKey, message, signature)).to.equal(true)
    expect(verify(keyPair.publicKey, utf8('something else'), signature)).to.equal(false)
  })

  it('we read the keys openssl generates, in PKCS#8 and in SEC1 form', () => {
    expect(openssl(['genpkey', '-algorithm', 'SM2', '-out', path('generated.pem')]).status).to.equal(0)
    expect(openssl(['ec', '-in', path('generated.pem'), '-out', path('generated-sec1.pem')]).status).to.equal(0)
    const pkcs8 = privateKeyFromPem(readFileSync(path('generated.pem'), 'utf8'))
    const sec1 = privateKeyFromPem(readFileSync(path('generated-sec1.pem'), 'utf8'))
    expect(toHex(sec1.privateKey)).to.equal(toHex(pkcs8.privateKey))
    const publicPem = execFileSync('openssl', ['pkey', '-in', path('generated.pem'), '-pubout'], {encoding: 'utf8'})
    expect(toHex(publicKeyFromSpki(publicPem))).to.equal(toHex(pkcs8.publicKey))
    expect(privateKeyToPem(pkcs8)).to.equal(readFileSync(path('generated.pem'), 'utf8'))
  })

  it('openssl decrypts our SM2 ciphertext (C1C3C2), so the encryption is standard', () => {
    const plaintext = utf8('per-record SM4 data key 0123456789abcdef')
    writeFileSync(path('ciphertext.der'), ciphertextToAsn1(encrypt(keyPair.publicKey, plaintext)))
    const result = spawnSync('openssl', ['pkeyutl', '-decrypt', '-inkey', path('private.pem'), '-in', path('ciphertext.der')])
    expect(result.status, String(result.stderr)).to.equal(0)
    expect(toHex(new Uint8Array(result.stdout))).to.equal(toHex(plaintext))
  })

  it('we decrypt what openssl encrypts to our public key', () => {
    const plaintext = utf8('wrapped key for org 91140100MA0000000X')
    writeFileSync(path('plain'), plaintext)
    const result = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', path('public.pem'), '-in', path('plain'), '-out', path('openssl-ciphertext.der')])
    expect(result.status, result.stderr).to.equal(0)
    const ciphertext = ciphertextFromAsn1(new Uint8Array(readFileSync(path('openssl-ciphertext.der'))))
    expect(toHex(decrypt(keyPair.privateKey, ciphertext))).to.equal(toHex(plaintext))
  })
})
