import {Flags} from '@oclif/core'
import {down} from '../ops/local.js'
import {WichainCommand} from '../cli/base.js'

export default class Down extends WichainCommand<typeof Down> {
  static summary = 'Stop the local network started by `wichain up`'
  static examples = ['<%= config.bin %> down', '<%= config.bin %> down --purge --json']
  static flags = {
    dir: Flags.string({description: 'network directory', default: 'wichain-local'}),
    purge: Flags.boolean({description: 'also delete the directory and all chain data', default: false}),
  }

  protected async execute() {
    return down({dir: this.flags.dir, purge: this.flags.purge})
  }
}
