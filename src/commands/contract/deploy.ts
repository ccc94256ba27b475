import {Flags} from '@oclif/core'
import {codeArgs, nameFlag} from '../../cli/contract.js'
import {GOVERNED_NOTE, governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class ContractDeploy extends GovernedCommand<typeof ContractDeploy> {
  static summary = 'Deploy a WASM contract (a tx to the contracts manager; devops role)'
  static description =
    'The chain validates the module (integers only, host imports only, bounded memory) and instruments it for gas; junk is refused with INVALID_WASM. Exit 0 only when the deploy commits with status ok.' +
    ' ' + GOVERNED_NOTE
  static aliases = ['deploy-contract']
  static examples = ['<%= config.bin %> contract deploy --rpc http://127.0.0.1:26600 --key net/admin/devops.json --name counter --wasm counter.wasm --json']
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    name: nameFlag({required: true}),
    wasm: Flags.string({description: 'the WASM module (from `contract build`)', required: true}),
    tag: Flags.string({description: 'your own version label, recorded with the contract (e.g. 1.0.0)'}),
  }

  protected async execute() {
    return this.governed({contract: 'contracts', method: 'deploy', args: codeArgs(this.flags.name, this.flags.wasm, this.flags.tag)}, (committed) => ({txHash: committed.txHash, height: committed.height, status: committed.status, contract: committed.result}))
  }
}
