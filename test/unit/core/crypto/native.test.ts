/**
 * Native SM2 verification (native/ via src/core/crypto/native.ts). Three implementations must
 * agree on every input: sm2.ts verify() (sm-crypto-v2), the addon's fast path (our equation over
 * OpenSSL's EC arithmetic with precomputed tables) and the addon's OpenSSL EVP path. The
 * fastVerify/fallback cases always run; the addon cases are skipped, with the reason in their
 * title, when the addon is not built.
 */
import {existsSync, readFileSync} from 'node:fs'
import {expect} from 'chai'
import {sm2 as smCrypto} from 'sm-crypto-v2'
import {fromHex, toHex, utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  fastVerify, fastVerifyBatch, NATIVE_ADDON_PATH, nativeSm2, nativeSm2Status, type SignedMessage, VERIFY_BATCH_ITEMS_MAX,
} from '../../../../src/core/crypto/native.js'
import {bigIntToBytes, bytesToBigInt, CURVE, ORDER} from '../../../../src/core/crypto/sm2-keys.js'
import {signedDigest} from '../../../../src/core/crypto/sm2-signature.js'
import {publicKeyFromPrivate, sign, signatureFromDer, verify} from '../../../../src/core/crypto/sm2.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'

interface Vectors {
  sm2_sign: {public: string; msg_utf8: string; r: string; s: string; valid: boolean}[]
  sm2_openssl: {public: string; msg_utf8: string; sig_der: string; valid: boolean}[]
}

const vectors = JSON.parse(readFileSync(new URL('../../../../../shared/vectors/sm.json', import.meta.url), 'utf8')) as Vectors

interface Case extends SignedMessage {
  readonly name: string
}

function vectorCases(): (Case & {valid: boolean})[] {
  return [
    ...vectors.sm2_sign.map((vector, index) => ({
      name: `sm2_sign #${index}`, valid: vector.valid, publicKey: fromHex(vector.public),
      message: utf8(vector.msg_utf8), signature: fromHex(vector.r + vector.s),
    })),
    ...vectors.sm2_openssl.map((vector, index) => ({
      name: `sm2_openssl #${index}`, valid: vector.valid, publicKey: fromHex(vector.public),
      message: utf8(vector.msg_utf8), signature: signatureFromDer(fromHex(vector.sig_der)),
    })),
  ]
}

/** Deterministic private keys: SM3 of a label, which for these labels lies in [1, n-2]. */
function keyPair(label: string): {privateKey: Uint8Array; publicKey: Uint8Array} {
  const privateKey = sm3(utf8(`wichain native test key ${label}`))
  return {privateKey, publicKey: publicKeyFromPrivate(privateKey)}
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

/** `count` signatures over 20 keys; every third valid, the rest tampered in one of five ways. */
function randomCases(count: number): Case[] {
  const keys = Array.from({length: 20}, (_, index) => keyPair(`random ${index}`))
  return Array.from({length: count}, (_, index) => {
    const key = keys[index % keys.length]!
    const message = utf8(`tx ${index} ${'x'.repeat(index % 97)}`)
    const signature = sign(key.privateKey, message, key.publicKey)
    const base = {publicKey: key.publicKey, message, signature}
    switch (index % 6) {
      case 1: return {...base, name: `${index}: flipped r bit`, signature: flipBit(signature, index % 256)}
      case 2: return {...base, name: `${index}: flipped s bit`, signature: flipBit(signature, 256 + (index % 256))}
      case 3: return {...base, name: `${index}: changed message`, message: flipBit(message, index % (message.length * 8))}
      case 4: return {...base, name: `${index}: another key`, publicKey: keys[(index + 1) % keys.length]!.publicKey}
      case 5: return {...base, name: `${index}: off-curve key`, publicKey: flipBit(key.publicKey, 8 * 64 + (index % 8))}
      default: return {...base, name: `${index}: valid`}
    }
  })
}

/** Signatures that pass no implementation: scalar bounds, r + s = n, key encodings, lengths, types. */
function edgeCases(): Case[] {
  const key = keyPair('edge')
  const message = utf8('edge cases')
  const signature = sign(key.privateKey, message, key.publicKey)
  const r = bytesToBigInt(signature.subarray(0, 32))
  const s = bytesToBigInt(signature.subarray(32))
  const withScalars = (name: string, newR: bigint, newS: bigint): Case => ({
    name, publicKey: key.publicKey, message, signature: Uint8Array.of(...bigIntToBytes(newR, 32), ...bigIntToBytes(newS, 32)),
  })
  const compressed = Uint8Array.of(0x02 + (key.publicKey[64]! & 1), ...key.publicKey.subarray(1, 33))
  const base = {publicKey: key.publicKey, message, signature}
  const wrongType = (value: unknown) => value as Uint8Array
  return [
    withScalars('r = 0', 0n, s), withScalars('s = 0', r, 0n), withScalars('r = n', ORDER, s), withScalars('s = n', r, ORDER),
    withScalars('r + s = n', r, ORDER - r), withScalars('r = n - 1', ORDER - 1n, s), withScalars('s = n - 1', r, ORDER - 1n),
    withScalars('all ones', 2n ** 256n - 1n, 2n ** 256n - 1n),
    {...base, name: 'compressed key', publicKey: compressed},
    {...base, name: 'prefix 0x03 on 65 bytes', publicKey: Uint8Array.of(0x03, ...key.publicKey.subarray(1))},
    {...base, name: 'all-zero key', publicKey: Uint8Array.of(0x04, ...new Uint8Array(64))},
    {...base, name: '64-byte key', publicKey: key.publicKey.subarray(1)},
    {...base, name: '63-byte signature', signature: signature.subarray(1)},
    {...base, name: '65-byte signature', signature: Uint8Array.of(...signature, 0)},
    {...base, name: 'signature as an array', signature: wrongType([...signature])},
    {...base, name: 'message as a string', message: wrongType('edge cases')},
    {...base, name: 'key as a Uint16Array', publicKey: wrongType(new Uint16Array(65))},
  ]
}

type Point = ReturnType<typeof smCrypto.precomputePublicKey>
interface PointClass {
  readonly BASE: Point
  readonly Fp: {readonly ORDER: bigint}
  fromAffine(affine: {x: bigint; y: bigint}): Point
}

const mod = (value: bigint, modulus: bigint): bigint => ((value % modulus) + modulus) % modulus

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  for (let b = mod(base, modulus), e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) {
    if (e & 1n) result = (result * b) % modulus
  }
  return result
}

const invert = (value: bigint): bigint => modPow(value, ORDER - 2n, ORDER)
const scalars = (r: bigint, s: bigint): Uint8Array => Uint8Array.of(...bigIntToBytes(r, 32), ...bigIntToBytes(s, 32))

function pointBytes(point: Point): Uint8Array {
  const {x, y} = point.toAffine()
  return Uint8Array.of(0x04, ...bigIntToBytes(x, 32), ...bigIntToBytes(y, 32))
}

/**
 * Signatures on chosen digests e, which message signing cannot reach (e is a hash): from
 * s*G + (r + s)*P = k*G, pick two of r, s, e and solve for the third. Covers malleated scalars
 * (r + n, s + n: right modulo n, out of range) and x1 >= n, where x1 mod n takes the second
 * candidate (probability ~2^-128 for real signatures).
 */
function chosenDigestCases(): {name: string; publicKey: Uint8Array; digest: Uint8Array; signature: Uint8Array; valid: boolean}[] {
  const Point = smCrypto.precomputePublicKey(toHex(keyPair('chosen').publicKey), 1).constructor as unknown as PointClass
  const d = bytesToBigInt(sm3(utf8('chosen d'))) % ORDER
  const k = bytesToBigInt(sm3(utf8('chosen k'))) % ORDER
  const publicKey = pointBytes(Point.BASE.multiply(d))
  const x1 = Point.BASE.multiply(k).toAffine().x
  const smallS = 7n
  const rForSmallS = mod((k - smallS * (1n + d)) * invert(d), ORDER)
  const smallR = 11n
  const sForSmallR = mod((k - smallR * d) * invert(1n + d), ORDER)
  const digestFor = (r: bigint, x: bigint): Uint8Array => bigIntToBytes(mod(r - x, ORDER), 32)
  // A curve point with x in [n, p): p = 3 (mod 4), so y = rhs^((p+1)/4) when rhs is a square.
  const p = Point.Fp.ORDER
  let x = ORDER
  let y = 0n
  do {
    x++
    const rhs = mod(x ** 3n + BigInt(`0x${CURVE.a}`) * x + BigInt(`0x${CURVE.b}`), p)
    y = modPow(rhs, (p + 1n) / 4n, p)
    if (mod(y * y, p) === rhs) break
  } while (x < ORDER + 100n)
  const target = Point.fromAffine({x, y})
  const [s, t] = [5n, 9n] // then P = (R - s*G) / t and r = t - s
  const highKey = pointBytes(target.subtract(Point.BASE.multiply(s)).multiply(invert(t)))
  return [
    {name: 'small s', publicKey, digest: digestFor(rForSmallS, x1), signature: scalars(rForSmallS, smallS), valid: true},
    {name: 's + n', publicKey, digest: digestFor(rForSmallS, x1), signature: scalars(rForSmallS, smallS + ORDER), valid: false},
    {name: 'small r', publicKey, digest: digestFor(smallR, x1), signature: scalars(smallR, sForSmallR), valid: true},
    {name: 'r + n', publicKey, digest: digestFor(smallR, x1), signature: scalars(smallR + ORDER, sForSmallR), valid: false},
    {name: 'x1 >= n', publicKey: highKey, digest: digestFor(t - s, x), signature: scalars(t - s, s), valid: true},
    {name: 'x1 >= n, other digest', publicKey: highKey, digest: digestFor(t - s + 1n, x), signature: scalars(t - s, s), valid: false},
  ]
}

/** `name: result` lines, so a disagreement names its case. */
function outcomes(cases: readonly Case[], check: (item: Case) => boolean): string[] {
  return cases.map((item) => `${item.name}: ${check(item)}`)
}

const verifyJs = (item: Case): boolean => verify(item.publicKey, item.message, item.signature)

describe('core/crypto/native', () => {
  describe('fastVerify and fastVerifyBatch (the path this process uses)', () => {
    it('agree with sm2.verify on every SM2 case in sm.json, valid and invalid', () => {
      for (const item of vectorCases()) {
        expect(fastVerify(item.publicKey, item.message, item.signature), item.name).to.equal(item.valid)
        expect(verify(item.publicKey, item.message, item.signature), item.name).to.equal(item.valid)
      }
      expect(fastVerifyBatch(vectorCases())).to.deep.equal(vectorCases().map((item) => item.valid))
    })

    it('agree with sm2.verify on tampered and malformed input, never throwing for an item', () => {
      const cases = [...randomCases(36), ...edgeCases(), null as unknown as Case]
      expect(fastVerifyBatch(cases)).to.deep.equal(cases.map((item) => verify(item?.publicKey, item?.message, item?.signature)))
    })

    it('reject a batch that is not an array or holds too many items, with WichainErrors', () => {
      expect(() => fastVerifyBatch('no' as unknown as SignedMessage[])).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
      const tooMany = new Array<SignedMessage>(VERIFY_BATCH_ITEMS_MAX + 1)
      expect(() => fastVerifyBatch(tooMany)).to.throw(WichainError).with.property('code', 'PAYLOAD_TOO_LARGE')
    })

    it('say whether the addon is in use, and why not', () => {
      expect(nativeSm2Status.available).to.equal(nativeSm2 !== undefined)
      expect(nativeSm2Status.reason).to.be.a('string').and.not.equal('')
    })

    it('use the addon whenever it is built: a built addon that fails to load or self-test is a failure', () => {
      if (!existsSync(NATIVE_ADDON_PATH) || process.env['WICHAIN_NATIVE_SM2'] === 'off') return
      expect(nativeSm2Status.available, nativeSm2Status.reason).to.equal(true)
    })
  })

  describe('the pure-JS fallback (WICHAIN_NATIVE_SM2=off)', () => {
    it('leaves nativeSm2 undefined and gives sm2.verify results', async () => {
      process.env['WICHAIN_NATIVE_SM2'] = 'off'
      let fallback: typeof import('../../../../src/core/crypto/native.js')
      try {
        // A fresh module instance: the addon is chosen once, at load.
        fallback = await import(new URL('../../../../src/core/crypto/native.js?fallback', import.meta.url).href) as typeof fallback
      } finally {
        delete process.env['WICHAIN_NATIVE_SM2']
      }
      expect(fallback.nativeSm2).to.equal(undefined)
      expect(fallback.nativeSm2Status.reason).to.match(/WICHAIN_NATIVE_SM2=off/)
      const cases = [...vectorCases(), ...randomCases(24), ...edgeCases()]
      expect(fallback.fastVerifyBatch(cases)).to.deep.equal(cases.map((item) => verify(item.publicKey, item.message, item.signature)))
    })
  })

  const title = nativeSm2 === undefined ? `the native addon — SKIPPED: ${nativeSm2Status.reason}` : 'the native addon'
  describe(title, function () {
    let addon = nativeSm2!

    before(function () {
      if (nativeSm2 === undefined) this.skip() // native-only cases; the reason is in the title
      addon = nativeSm2
    })

    beforeEach(() => addon.clearCaches())

    it('matches every sm.json case on first sight, table build and table, and through OpenSSL EVP', () => {
      for (const item of vectorCases()) {
        for (let sighting = 1; sighting <= 3; sighting++) {
          expect(addon.verify(item.publicKey, item.message, item.signature), `${item.name}, sighting ${sighting}`).to.equal(item.valid)
        }
        expect(addon.verifyOpenssl(item.publicKey, item.message, item.signature), `${item.name}, EVP`).to.equal(item.valid)
      }
    })

    it('agrees with sm2.verify and OpenSSL EVP on 300 signatures, two thirds of them tampered', () => {
      const cases = randomCases(300)
      const expected = outcomes(cases, verifyJs)
      expect(outcomes(cases, (item) => addon.verifyOpenssl(item.publicKey, item.message, item.signature))).to.deep.equal(expected)
      for (let pass = 1; pass <= 3; pass++) {
        expect(outcomes(cases, (item) => addon.verify(item.publicKey, item.message, item.signature)), `pass ${pass}`).to.deep.equal(expected)
      }
      expect(expected.filter((line) => line.endsWith('true'))).to.have.length(50)
      expect(addon.stats().precomputedKeys).to.equal(20)
    })

    it('rejects edge-case scalars, keys, lengths and types like sm2.verify', () => {
      const cases = edgeCases()
      const expected = outcomes(cases, verifyJs)
      expect(expected.filter((line) => line.endsWith('true'))).to.deep.equal([])
      for (let pass = 1; pass <= 3; pass++) {
        expect(outcomes(cases, (item) => addon.verify(item.publicKey, item.message, item.signature)), `pass ${pass}`).to.deep.equal(expected)
      }
      expect(outcomes(cases, (item) => addon.verifyOpenssl(item.publicKey, item.message, item.signature))).to.deep.equal(expected)
    })

    it('reads views at an offset into a larger buffer', () => {
      const key = keyPair('views')
      const message = utf8('offset views')
      const signature = sign(key.privateKey, message)
      const backing = Buffer.concat([Buffer.from([9, 9, 9]), key.publicKey, message, signature, Buffer.from([7])])
      const publicKey = backing.subarray(3, 68)
      const view = backing.subarray(68, 68 + message.length)
      const signatureView = backing.subarray(68 + message.length, 68 + message.length + 64)
      expect(addon.verify(publicKey, view, signatureView)).to.equal(true)
      expect(addon.verify(publicKey, backing.subarray(68, 67 + message.length), signatureView)).to.equal(false)
    })

    it('verifyDigest with e = SM3(Z || M) equals verify', () => {
      const cases = randomCases(30)
      const expected = outcomes(cases, verifyJs)
      for (let pass = 1; pass <= 3; pass++) {
        const digestOutcomes = outcomes(cases, (item) => addon.verifyDigest(item.publicKey, signedDigest(item.publicKey, item.message), item.signature))
        expect(digestOutcomes, `pass ${pass}`).to.deep.equal(expected)
      }
      const item = cases[0]!
      expect(addon.verifyDigest(item.publicKey, signedDigest(item.publicKey, item.message).subarray(1), item.signature)).to.equal(false)
    })

    it('on chosen digests: rejects r + n and s + n, accepts x1 in [n, p), with and without a key table', () => {
      for (const item of chosenDigestCases()) {
        if (item.valid) expect(smCrypto.doVerifySignature(item.digest, toHex(item.signature), toHex(item.publicKey)), `${item.name}, sm-crypto-v2`).to.equal(true)
        for (let sighting = 1; sighting <= 3; sighting++) {
          expect(addon.verifyDigest(item.publicKey, item.digest, item.signature), `${item.name}, sighting ${sighting}`).to.equal(item.valid)
        }
      }
    })

    it('verifyBatch equals verify item by item, and refuses non-arrays', () => {
      const cases = [...randomCases(30), ...edgeCases()]
      const expected = cases.map((item) => (verify(item.publicKey, item.message, item.signature) ? 1 : 0))
      expect([...addon.verifyBatch(cases)]).to.deep.equal(expected)
      expect(() => addon.verifyBatch({} as unknown as SignedMessage[])).to.throw(TypeError)
    })

    it('keeps at most precomputedKeysMax tables, rebuilds them sparingly, and stays correct after eviction', () => {
      const {precomputedKeysMax} = addon.stats()
      const keys = Array.from({length: precomputedKeysMax + 64}, (_, index) => keyPair(`table ${index}`))
      const junk = new Uint8Array(64).fill(1) // a well-formed signature that fails: enough to sight a key
      for (const key of keys.slice(0, precomputedKeysMax)) {
        addon.verify(key.publicKey, junk, junk)
        addon.verify(key.publicKey, junk, junk)
      }
      const built = addon.stats().tablesBuilt
      expect(addon.stats().precomputedKeys).to.equal(precomputedKeysMax)
      // 64 more keys, each seen twice: with the tables full, a rebuild costs 32 verifications of credit.
      for (const key of keys.slice(precomputedKeysMax)) {
        addon.verify(key.publicKey, junk, junk)
        addon.verify(key.publicKey, junk, junk)
      }
      expect(addon.stats().precomputedKeys).to.equal(precomputedKeysMax)
      expect(addon.stats().tablesBuilt - built).to.be.within(1, 4 + 128 / 32)
      const evicted = keys[0]!
      const message = utf8('after eviction')
      const signature = sign(evicted.privateKey, message)
      for (let sighting = 1; sighting <= 3; sighting++) expect(addon.verify(evicted.publicKey, message, signature)).to.equal(true)
      expect(addon.verify(evicted.publicKey, message, flipBit(signature, 3))).to.equal(false)
    })
  })
})
