import {Args} from '@oclif/core'
import {WichainError} from '../../core/errors.js'
import {governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

const NAMES = ['blockTxsMax', 'blockIntervalMs', 'txExpiryWindow', 'mempoolTxsMax', 'txGasMax', 'blockGasMax']

export default class ParamsSet extends GovernedCommand<typeof ParamsSet> {
  static summary = 'Change a chain parameter from the next block (consortium chains; by proposal: chain.params, default a MAJORITY of org admins)'
  static description =
    `Parameters: ${NAMES.join(', ')}. The whole set must stay valid (e.g. blockGasMax at least txGasMax). ` +
    'Until enough organisations approve, prints {proposal:{id, status, needs}} and exits 0; --wait waits.'
  static examples = ['<%= config.bin %> params set blockTxsMax 500 --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --wait --json']
  static args = {
    name: Args.string({description: NAMES.join(' | '), required: true, options: NAMES}),
    value: Args.integer({description: 'the new value', required: true, min: 0}),
  }
  static flags = {...sendFlags(), ...governedFlags()}

  protected async execute() {
    if (!Number.isSafeInteger(this.args.value)) throw new WichainError('USAGE', 'value must be an integer')
    return this.governed(
      {contract: 'params', method: 'set', args: {name: this.args.name, value: this.args.value}},
      (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}),
    )
  }
}
