import {Flags} from '@oclif/core'
import {benchCrypto, opensslSpeed} from '../../bench/crypto.js'
import {WichainCommand} from '../../cli/base.js'
import {renderTable} from '../../cli/output.js'

type Figures = {sm2SignPerSec: number; sm2VerifyPerSec: number; sm3MBps: number; sm4MBps: number}

const round = (value: number) => Math.round(value * 100) / 100

export default class BenchCrypto extends WichainCommand<typeof BenchCrypto> {
  static summary = 'Measure SM2 sign/verify per second and SM3/SM4 MB/s, beside `openssl speed` in the same run'
  static examples = ['<%= config.bin %> bench crypto --json', '<%= config.bin %> bench crypto --duration-ms 500 --no-openssl']
  static flags = {
    'duration-ms': Flags.integer({description: 'time spent on each measurement', default: 2000, min: 100, max: 60_000}),
    openssl: Flags.boolean({description: 'also run `openssl speed` as the baseline', default: true, allowNo: true}),
  }

  protected async execute() {
    const durationMs = this.flags['duration-ms']
    this.note(`measuring wichain crypto (${durationMs} ms per figure)…`)
    const ours = await benchCrypto({durationMs})
    let openssl: Figures | null = null
    if (this.flags.openssl) {
      this.note('measuring openssl speed…')
      openssl = await opensslSpeed({seconds: Math.max(1, Math.round(durationMs / 1000))})
    }
    const ratio = (key: keyof Figures) => (openssl === null || !openssl[key] ? null : round(ours[key] / openssl[key]))
    return {
      sm2SignPerSec: round(ours.sm2SignPerSec),
      sm2VerifyPerSec: round(ours.sm2VerifyPerSec),
      sm3MBps: round(ours.sm3MBps),
      sm4MBps: round(ours.sm4MBps),
      details: ours,
      openssl,
      ratioToOpenssl: openssl === null ? null : {sm2Sign: ratio('sm2SignPerSec'), sm2Verify: ratio('sm2VerifyPerSec'), sm3: ratio('sm3MBps'), sm4: ratio('sm4MBps')},
      durationMs,
    }
  }

  protected render(result: Figures & {openssl: Figures | null}): void {
    const row = (name: string, figures: Figures) => ({'': name, 'SM2 sign/s': round(figures.sm2SignPerSec), 'SM2 verify/s': round(figures.sm2VerifyPerSec), 'SM3 MB/s': round(figures.sm3MBps), 'SM4 MB/s': round(figures.sm4MBps)})
    this.log(renderTable([row('wichain', result), ...(result.openssl === null ? [] : [row('openssl speed', result.openssl)])]))
  }
}
