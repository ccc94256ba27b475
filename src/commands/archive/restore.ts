import {WichainCommand} from '../../cli/base.js'
import {clientSignerFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag} from '../../cli/flags.js'
import {createProgress} from '../../cli/progress.js'
import {restoreArchive} from '../../ops/archive.js'

type Result = Awaited<ReturnType<typeof restoreArchive>>

export default class ArchiveRestore extends WichainCommand<typeof ArchiveRestore> {
  static summary = 'Move every archived block body and receipt back into the live store, verifying each'
  static description =
    'Newest segment first; each segment\'s SM3 digest and every block (hash index, txRoot, receiptRoot) are checked before its one atomic batch. ' +
    'Runs inside the node over JSON-RPC when it is running, else on the store directly.'
  static examples = ['<%= config.bin %> archive restore --home ./net/node0 --json']
  static flags = {home: homeFlag({required: true}), chain: chainFlag(), ...signingFlags()}

  protected async execute(): Promise<Result> {
    const progress = createProgress('restore', {json: this.jsonEnabled(), unit: 'blocks'})
    try {
      return await restoreArchive({home: this.flags.home, chainId: this.flags.chain, progress, signer: clientSignerFor(this.flags)})
    } finally {
      progress.stop()
    }
  }

  protected render(result: Result): void {
    this.log(`chain ${result.chainId}: restored ${result.blocks} blocks (${result.txs} txs) from ${result.segments.length} segment(s) via ${result.via}; archived below ${result.archivedBelow}`)
  }
}
