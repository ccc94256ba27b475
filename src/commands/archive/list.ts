import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {chainFlag, homeFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'
import {listArchive} from '../../ops/archive.js'

type Result = Awaited<ReturnType<typeof listArchive>>

export default class ArchiveList extends WichainCommand<typeof ArchiveList> {
  static summary = 'List archive segments: height ranges, tx counts, bytes, SM3 digests'
  static description = 'Reads the archive files only, so it works whether the node runs or not. --verify re-hashes every segment and index file.'
  static examples = ['<%= config.bin %> archive list --home ./net/node0 --json', '<%= config.bin %> archive list --home ./net/node0 --verify']
  static flags = {
    home: homeFlag({required: true}),
    chain: chainFlag(),
    verify: Flags.boolean({description: 'check every file against its recorded size and SM3 digest', default: false}),
  }

  protected async execute(): Promise<Result> {
    return listArchive({home: this.flags.home, chainId: this.flags.chain, verify: this.flags.verify})
  }

  protected render(result: Result): void {
    this.log(`chain ${result.chainId}: archived below ${result.archivedBelow} (${result.txs} txs, ${result.segmentBytes} bytes) in ${result.directory}`)
    if (result.segments.length > 0) {
      this.log(renderTable(result.segments, ['file', 'from', 'to', 'txs', 'rawBytes', 'segmentBytes', 'segmentDigest']))
    }
    if ('verified' in result) this.log('every segment and index matches its SM3 digest')
  }
}
