import {Flags} from '@oclif/core'
import {codeArgs, nameFlag} from '../../cli/contract.js'
import {GOVERNED_NOTE, governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class ContractUpgrade extends GovernedCommand<typeof ContractUpgrade> {
  static summary = 'Replace a contract\'s code; its state is kept and its version goes up by one (devops role)'
  static description = GOVERNED_NOTE
  static examples = ['<%= config.bin %> contract upgrade --rpc http://127.0.0.1:26600 --key net/admin/devops.json --name counter --wasm counter-v2.wasm --json']
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    name: nameFlag({required: true}),
    wasm: Flags.string({description: 'the new WASM module', required: true}),
    tag: Flags.string({description: 'your own version label (e.g. 1.1.0)'}),
  }

  protected async execute() {
    return this.governed({contract: 'contracts', method: 'upgrade', args: codeArgs(this.flags.name, this.flags.wasm, this.flags.tag)}, (committed) => ({txHash: committed.txHash, height: committed.height, status: committed.status, contract: committed.result}))
  }
}
