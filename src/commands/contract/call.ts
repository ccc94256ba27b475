import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {argsFlag, nameFlag} from '../../cli/contract.js'
import {parseArgsFlag, sendAndWait, sendFlags} from '../../cli/send.js'

export default class ContractCall extends WichainCommand<typeof ContractCall> {
  static summary = 'Call a contract method in a tx and wait for its commit'
  static description = 'Exit 0 only when the call commits with status ok. A call that fails (refused, trapped, out of gas, frozen or destroyed contract) exits non-zero with the receipt\'s code; txHash, height and gasUsed are in error.details.'
  static examples = [`<%= config.bin %> contract call --rpc http://127.0.0.1:26600 --key net/admin/user.json --name counter --method increment --args '{"by":2}' --json`]
  static flags = {
    ...sendFlags(),
    name: nameFlag({required: true}),
    method: Flags.string({description: 'method name', required: true}),
    args: argsFlag(),
  }

  protected async execute() {
    // Checked as a node checks tx args (duplicate keys, nesting, numbers …) and signed as typed.
    const args = parseArgsFlag(this.flags.args)
    const committed = await sendAndWait(this.flags, {contract: this.flags.name, method: this.flags.method, args})
    return {txHash: committed.txHash, height: committed.height, status: committed.status, result: committed.result, gasUsed: committed.gasUsed, events: committed.events}
  }
}
