/** The part of the `sm-crypto` (v0.5, CommonJS, untyped) API the cross-checks use. */
declare module 'sm-crypto' {
  interface SignOptions {
    hash?: boolean
    der?: boolean
    publicKey?: string
    userId?: string
  }
  interface Sm2 {
    generateKeyPairHex(): {privateKey: string; publicKey: string}
    doSignature(message: string | number[] | Uint8Array, privateKey: string, options?: SignOptions): string
    doVerifySignature(message: string | number[] | Uint8Array, signature: string, publicKey: string, options?: SignOptions): boolean
    doEncrypt(message: string | number[] | Uint8Array, publicKey: string, cipherMode?: 0 | 1): string
    doDecrypt(ciphertext: string, privateKey: string, cipherMode: 0 | 1, options: {output: 'array'}): number[] | Uint8Array
  }
  const smCrypto: {sm2: Sm2}
  export default smCrypto
}
