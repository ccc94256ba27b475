import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'

interface Member {
  readonly publicKey: string
  readonly name: string
  readonly role: string
  readonly address: string
}

export default class NodeList extends WichainCommand<typeof NodeList> {
  static summary = 'List the chain\'s node set (validators and observers) as the head block left it'
  static examples = ['<%= config.bin %> node list --rpc http://127.0.0.1:26600 --json']
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), ...signingFlags()}

  protected async execute(): Promise<{members: Member[]}> {
    const {result} = await clientFor(this.flags).query('nodes', 'list', {})
    return {members: [...(result as {members: Member[]}).members]}
  }

  protected render(result: {members: Member[]}): void {
    this.log(renderTable(result.members.map((member) => ({...member, publicKey: `${member.publicKey.slice(0, 16)}…`}))))
  }
}
