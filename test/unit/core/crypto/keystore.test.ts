import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  createKeystore, type Keystore, openKeystore, readKeystoreFile, readPasswordFile, writeKeystoreFile,
} from '../../../../src/core/crypto/keystore.js'
import {addressOf, generateKeyPair} from '../../../../src/core/crypto/sm2.js'

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

/** A deep, mutable copy to tamper with. */
function copy(keystore: Keystore): Record<string, any> {
  return JSON.parse(JSON.stringify(keystore)) as Record<string, any>
}

function changeHexDigit(hex: string, index: number): string {
  const digit = hex[index] === '0' ? '1' : '0'
  return hex.slice(0, index) + digit + hex.slice(index + 1)
}

const ITERATIONS = 16 // tests only; the default is 100,000

describe('core/crypto/keystore', () => {
  const keyPair = generateKeyPair()
  const encrypted = createKeystore(keyPair, 'correct horse 电池', {iterations: ITERATIONS})
  let directory = ''

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'wichain-keystore-'))
  })

  after(() => {
    rmSync(directory, {recursive: true, force: true})
  })

  it('writes a version-1 SM4-CBC / PBKDF2-SM3 document without the key in clear', () => {
    expect(encrypted.version).to.equal(1)
    expect(encrypted.address).to.equal(addressOf(keyPair.publicKey))
    expect(encrypted.publicKey).to.equal(toHex(keyPair.publicKey))
    expect(encrypted.crypto.cipher).to.equal('sm4-cbc')
    if (encrypted.crypto.cipher !== 'sm4-cbc') return
    expect(encrypted.crypto.kdf).to.equal('pbkdf2-sm3')
    expect(encrypted.crypto.kdfparams).to.deep.include({iterations: ITERATIONS, dkLen: 32})
    expect(JSON.stringify(encrypted)).to.not.include(toHex(keyPair.privateKey))
    expect(createKeystore(keyPair, 'correct horse 电池', {iterations: ITERATIONS}).crypto).to.not.deep.equal(encrypted.crypto)
  })

  it('opens with the right password', () => {
    const opened = openKeystore(JSON.parse(JSON.stringify(encrypted)), 'correct horse 电池')
    expect(toHex(opened.privateKey)).to.equal(toHex(keyPair.privateKey))
    expect(toHex(opened.publicKey)).to.equal(toHex(keyPair.publicKey))
  })

  it('reports WRONG_PASSWORD for a wrong or missing password', () => {
    expectCode(() => openKeystore(encrypted, 'correct horse 电'), 'WRONG_PASSWORD')
    expectCode(() => openKeystore(encrypted, 'Correct horse 电池'), 'WRONG_PASSWORD')
    expectCode(() => openKeystore(encrypted), 'WRONG_PASSWORD')
  })

  it('detects tampering with the ciphertext, IV, MAC, salt, public key or address', () => {
    for (const field of ['ciphertext', 'iv', 'mac']) {
      const tampered = copy(encrypted)
      tampered['crypto'][field] = changeHexDigit(tampered['crypto'][field], 5)
      expectCode(() => openKeystore(tampered, 'correct horse 电池'), 'WRONG_PASSWORD')
    }
    const salted = copy(encrypted)
    salted['crypto']['kdfparams']['salt'] = changeHexDigit(salted['crypto']['kdfparams']['salt'], 0)
    expectCode(() => openKeystore(salted, 'correct horse 电池'), 'WRONG_PASSWORD')
    const otherKey = copy(encrypted)
    otherKey['publicKey'] = toHex(generateKeyPair().publicKey)
    expectCode(() => openKeystore(otherKey, 'correct horse 电池'), 'KEY_ERROR')
    const otherAddress = copy(encrypted)
    otherAddress['address'] = changeHexDigit(otherAddress['address'], 39)
    expectCode(() => openKeystore(otherAddress, 'correct horse 电池'), 'KEY_ERROR')
  })

  it('rejects malformed documents with KEY_ERROR before deriving anything', () => {
    const mutations: ((document: Record<string, any>) => void)[] = [
      (d) => { d['version'] = 2 },
      (d) => { d['extra'] = true },
      (d) => { delete d['address'] },
      (d) => { d['publicKey'] = d['publicKey'].toUpperCase() },
      (d) => { d['crypto']['cipher'] = 'aes-128-ctr' },
      (d) => { d['crypto']['kdf'] = 'scrypt' },
      (d) => { d['crypto']['kdfparams']['iterations'] = 1e9 },
      (d) => { d['crypto']['kdfparams']['iterations'] = 0 },
      (d) => { d['crypto']['kdfparams']['dkLen'] = 16 },
      (d) => { d['crypto']['kdfparams']['salt'] = 'abcd' },
      (d) => { d['crypto']['iv'] = 'zz' + d['crypto']['iv'].slice(2) },
      (d) => { d['crypto']['ciphertext'] = d['crypto']['ciphertext'].slice(2) },
      (d) => { d['crypto'] = null },
    ]
    for (const mutate of mutations) {
      const document = copy(encrypted)
      mutate(document)
      expectCode(() => openKeystore(document, 'correct horse 电池'), 'KEY_ERROR')
    }
    for (const junk of [null, 42, 'keystore', [], {}]) expectCode(() => openKeystore(junk, 'x'), 'KEY_ERROR')
  })

  it('stores the key in clear when no password is given, and opens that without one', () => {
    const plain = createKeystore(keyPair)
    expect(plain.crypto).to.deep.equal({cipher: 'none', privateKey: toHex(keyPair.privateKey)})
    expect(toHex(openKeystore(copy(plain)).privateKey)).to.equal(toHex(keyPair.privateKey))
    const corrupted = copy(plain)
    corrupted['crypto']['privateKey'] = changeHexDigit(corrupted['crypto']['privateKey'], 10)
    expectCode(() => openKeystore(corrupted), 'KEY_ERROR')
  })

  it('refuses an empty password and a key pair that does not belong together', () => {
    expectCode(() => createKeystore(keyPair, '', {iterations: ITERATIONS}), 'INVALID_ARGUMENT')
    expectCode(() => createKeystore({privateKey: keyPair.privateKey, publicKey: generateKeyPair().publicKey}), 'KEY_ERROR')
  })

  describe('files', () => {
    it('writes mode 0600, reads back, and refuses to overwrite unless asked', () => {
      const path = join(directory, 'node.key.json')
      writeKeystoreFile(path, encrypted)
      expect(statSync(path).mode & 0o777).to.equal(0o600)
      expect(toHex(readKeystoreFile(path, 'correct horse 电池').privateKey)).to.equal(toHex(keyPair.privateKey))
      const replacement = createKeystore(generateKeyPair())
      expectCode(() => writeKeystoreFile(path, replacement), 'ALREADY_EXISTS')
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.deep.equal(encrypted)
      writeKeystoreFile(path, replacement, {overwrite: true})
      expect(statSync(path).mode & 0o777).to.equal(0o600)
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.deep.equal(replacement)
    })

    it('leaves no temporary files behind', () => {
      const subdirectory = mkdtempSync(join(directory, 'clean-'))
      writeKeystoreFile(join(subdirectory, 'a.json'), encrypted)
      expectCode(() => writeKeystoreFile(join(subdirectory, 'a.json'), encrypted), 'ALREADY_EXISTS')
      expect(readdirSync(subdirectory)).to.deep.equal(['a.json'])
    })

    it('reports a tampered, non-JSON or missing file', () => {
      const path = join(directory, 'tampered.json')
      const tampered = copy(encrypted)
      tampered['crypto']['mac'] = changeHexDigit(tampered['crypto']['mac'], 63)
      writeFileSync(path, JSON.stringify(tampered))
      expectCode(() => readKeystoreFile(path, 'correct horse 电池'), 'WRONG_PASSWORD')
      writeFileSync(path, '{"version": 1,')
      expectCode(() => readKeystoreFile(path, 'correct horse 电池'), 'KEY_ERROR')
      expectCode(() => readKeystoreFile(join(directory, 'missing.json')), 'FILE_NOT_FOUND')
    })

    it('reads a password file, dropping only the trailing newline', () => {
      const path = join(directory, 'password')
      writeFileSync(path, ' pass word \n')
      expect(readPasswordFile(path)).to.equal(' pass word ')
      writeFileSync(path, 'secret\r\n')
      expect(readPasswordFile(path)).to.equal('secret')
      writeFileSync(path, '\n')
      expectCode(() => readPasswordFile(path), 'INVALID_ARGUMENT')
      writeFileSync(path, 'x'.repeat(70_000))
      expectCode(() => readPasswordFile(path), 'PAYLOAD_TOO_LARGE')
    })
  })
})
