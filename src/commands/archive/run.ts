import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientSignerFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag} from '../../cli/flags.js'
import {createProgress} from '../../cli/progress.js'
import {runArchive} from '../../ops/archive.js'

type Result = Awaited<ReturnType<typeof runArchive>>

export default class ArchiveRun extends WichainCommand<typeof ArchiveRun> {
  static summary = 'Move block bodies and receipts below a height into compressed, queryable archive segments'
  static description =
    'Headers, commit certificates and the tx index stay in the live store, so `tx get`, `tx proof`, `block get` and `cert verify` keep working. ' +
    'Each segment is written, fsync\'d and read back before the live keys go in one atomic batch; the live store is then compacted. ' +
    'Runs inside the node over JSON-RPC when it is running, else on the store directly. The head is never archived.'
  static examples = [
    '<%= config.bin %> archive run --home ./net/node0 --below 5000 --json',
    '<%= config.bin %> archive run --home ./net/node0 --chain wi-prov --below 120000',
  ]
  static flags = {
    ...signingFlags(),
    home: homeFlag({required: true}),
    chain: chainFlag(),
    below: Flags.integer({description: 'archive every height below this one (1..head height)', required: true, min: 1}),
  }

  protected async execute(): Promise<Result> {
    const progress = createProgress('archive', {json: this.jsonEnabled(), unit: 'blocks'})
    try {
      return await runArchive({home: this.flags.home, chainId: this.flags.chain, below: this.flags.below, progress, signer: clientSignerFor(this.flags)})
    } finally {
      progress.stop()
    }
  }

  protected render(result: Result): void {
    this.log(`chain ${result.chainId}: heights below ${result.archivedBelow} are archived (${result.blocks} blocks, ${result.txs} txs moved now in ${result.segments.length} segment(s), via ${result.via})`)
    if (result.diskBytesBefore !== null && result.diskBytesAfter !== null) {
      this.log(`live store ${result.diskBytesBefore} → ${result.diskBytesAfter} bytes; segments in ${result.archiveDirectory}`)
    }
  }
}
