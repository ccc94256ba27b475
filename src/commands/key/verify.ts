import {Flags} from '@oclif/core'
import {existsSync, readFileSync} from 'node:fs'
import {fromHex} from '../../core/bytes.js'
import {addressOf, publicKeyFromSpki, signatureFromDer, validatePublicKey, verify} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {readInputFile} from '../../cli/context.js'

function readPublicKey(value: string): Uint8Array {
  if (existsSync(value)) {
    const text = readFileSync(value, 'utf8').trim()
    if (text.startsWith('-----BEGIN')) return publicKeyFromSpki(text)
    return readPublicKey(text)
  }
  const key = fromHex(value.trim(), 'public key')
  validatePublicKey(key)
  return key
}

export default class KeyVerify extends WichainCommand<typeof KeyVerify> {
  static summary = 'Verify an SM2 DER signature over a file; exit 0 only if valid'
  static examples = ['<%= config.bin %> key verify --pub alice.pub.pem --in report.pdf --sig report.sig --json']
  static flags = {
    pub: Flags.string({description: 'public key: PEM file, hex file, or hex string', required: true}),
    in: Flags.string({description: 'signed file', required: true}),
    sig: Flags.string({description: 'signature file (DER, as `key sign` or openssl write it)', required: true}),
  }

  protected async execute() {
    const publicKey = readPublicKey(this.flags.pub)
    const message = readInputFile(this.flags.in, 'input')
    const signature = signatureFromDer(readInputFile(this.flags.sig, 'signature'))
    const valid = verify(publicKey, message, signature)
    if (!valid) throw new WichainError('VERIFICATION_FAILED', `signature does not verify for ${this.flags.in}`, {address: addressOf(publicKey)})
    return {valid, address: addressOf(publicKey), file: this.flags.in}
  }
}
