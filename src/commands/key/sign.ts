import {Flags} from '@oclif/core'
import {writeFileSync} from 'node:fs'
import {toHex} from '../../core/bytes.js'
import {addressOf, sign, signatureToDer, sm3} from '../../core/crypto/index.js'
import {WichainCommand} from '../../cli/base.js'
import {loadKey, readInputFile} from '../../cli/context.js'
import {keyFlag, passwordFileFlag} from '../../cli/flags.js'

export default class KeySign extends WichainCommand<typeof KeySign> {
  static summary = 'SM2-sign a file (SM3, ID 1234567812345678); writes a DER signature'
  static description = 'Verifiable with: openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in FILE -sigfile SIG -digest sm3 -pkeyopt distid:1234567812345678'
  static examples = ['<%= config.bin %> key sign --key alice.json --in report.pdf --out report.sig']
  static flags = {
    key: keyFlag({required: true}),
    'password-file': passwordFileFlag(),
    in: Flags.string({description: 'file to sign', required: true}),
    out: Flags.string({description: 'signature file to write (DER)', required: true}),
  }

  protected async execute() {
    const keyPair = await loadKey(this.flags)
    const message = readInputFile(this.flags.in, 'input')
    const signature = signatureToDer(sign(keyPair.privateKey, message, keyPair.publicKey))
    writeFileSync(this.flags.out, signature)
    return {address: addressOf(keyPair.publicKey), file: this.flags.in, sm3: toHex(sm3(message)), signature: toHex(signature), out: this.flags.out}
  }
}
