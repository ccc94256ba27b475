import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {chainFlag, homeFlag} from '../../cli/flags.js'
import {queryArchive} from '../../ops/archive.js'

export default class ArchiveQuery extends WichainCommand<typeof ArchiveQuery> {
  static summary = 'Read an archived tx (by hash) or block (by height) from the archive files'
  static description =
    'Works offline and while the node runs (it reads the segment and index files, not the live store). ' +
    'Files are checked against their SM3 digests, blocks against their txRoot and recorded hash, receipts against the receiptRoot.'
  static examples = [
    '<%= config.bin %> archive query --home ./net/node0 --tx 9f2c…e1 --json',
    '<%= config.bin %> archive query --home ./net/node0 --height 42',
  ]
  static flags = {
    home: homeFlag({required: true}),
    chain: chainFlag(),
    tx: Flags.string({description: 'tx hash (hex)', exactlyOne: ['tx', 'height']}),
    height: Flags.integer({description: 'block height', min: 0, exactlyOne: ['tx', 'height']}),
  }

  protected async execute() {
    return queryArchive({home: this.flags.home, chainId: this.flags.chain, tx: this.flags.tx, height: this.flags.height})
  }
}
