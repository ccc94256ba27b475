import {WichainCommand} from '../../cli/base.js'
import {clientFor} from '../../cli/context.js'
import {homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'
import {WichainError} from '../../core/errors.js'

type Status = {running: boolean; name?: string; chains: Array<Record<string, unknown>>}

export default class NodeStatus extends WichainCommand<typeof NodeStatus> {
  static summary = 'Show a node\'s status: running, chains, heights, head hashes'
  static examples = ['<%= config.bin %> node status --home ./net/node0 --json', '<%= config.bin %> node status --rpc http://127.0.0.1:26600']
  static flags = {home: homeFlag(), rpc: rpcFlag()}

  protected async execute(): Promise<Status> {
    try {
      return await clientFor(this.flags).status()
    } catch (error) {
      if (error instanceof WichainError && error.code === 'UNAVAILABLE') return {running: false, chains: []}
      throw error
    }
  }

  protected render(result: Status): void {
    if (!result.running) return this.log('not running')
    this.log(`node ${result.name ?? ''} running`)
    this.log(renderTable(result.chains.map(({chainId, height, headHash, consensus, role, peers}) => ({chainId, height, headHash, consensus, role, peers}))))
  }
}
