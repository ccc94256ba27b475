import {Flags} from '@oclif/core'
import {writeFileSync} from 'node:fs'
import {toHex} from '../../core/bytes.js'
import {addressOf, publicKeyToPem} from '../../core/crypto/index.js'
import {WichainCommand} from '../../cli/base.js'
import {loadKey} from '../../cli/context.js'
import {keyFlag, passwordFileFlag} from '../../cli/flags.js'

export default class KeyExport extends WichainCommand<typeof KeyExport> {
  static summary = 'Export a keystore\'s public key (SPKI PEM readable by `openssl pkey -pubin`, or hex)'
  static examples = ['<%= config.bin %> key export --key alice.json --format pem --out alice.pub.pem']
  static flags = {
    key: keyFlag({required: true}),
    'password-file': passwordFileFlag(),
    format: Flags.string({options: ['pem', 'hex'], default: 'pem', description: 'output format'}),
    out: Flags.string({description: 'write to this file instead of stdout'}),
  }

  protected async execute() {
    const keyPair = await loadKey(this.flags)
    const publicKey = this.flags.format === 'pem' ? publicKeyToPem(keyPair.publicKey) : toHex(keyPair.publicKey)
    if (this.flags.out !== undefined) writeFileSync(this.flags.out, this.flags.format === 'pem' ? publicKey : `${publicKey}\n`)
    return {address: addressOf(keyPair.publicKey), format: this.flags.format, publicKey, file: this.flags.out ?? null}
  }

  protected render(result: {publicKey: string; file: string | null}): void {
    if (result.file === null) this.log(result.publicKey.trimEnd())
    else this.log(`public key written to ${result.file}`)
  }
}
