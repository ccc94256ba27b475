import {Flags} from '@oclif/core'
import {up} from '../ops/local.js'
import {WichainCommand} from '../cli/base.js'
import {renderTable} from '../cli/output.js'
import {shellCommand} from '../cli/invocation.js'
import {plaintextWarning} from '../cli/new-keys.js'
import type {ConsensusKind} from '../core/types/certificate.js'

export default class Up extends WichainCommand<typeof Up> {
  static summary = 'Start a local work-injury chain on loopback (initialises --dir the first time)'
  static description =
    'Idempotent: a second `up` restarts whatever is not running. Stop with `wichain down`. ' +
    'A dev network: its keystores are written unencrypted (with a warning); lay out a real network with `chain init --password-file`.'
  static examples = ['<%= config.bin %> up', '<%= config.bin %> up --dir ./wichain-local --json']
  static flags = {
    dir: Flags.string({description: 'network directory', default: 'wichain-local'}),
    nodes: Flags.integer({description: 'nodes (first run only)', default: 4, min: 1, max: 64}),
    consensus: Flags.string({description: 'consensus (first run only)', options: ['solo', 'pbft', 'raft'], default: 'pbft'}),
    'chain-id': Flags.string({description: 'chain id (first run only)', default: 'wi-local'}),
    'base-port': Flags.integer({description: 'first port; 0 picks free ports (first run only)', default: 26600, min: 0, max: 65535}),
    template: Flags.string({description: 'chain template (first run only)', default: 'work-injury'}),
    orgs: Flags.integer({description: 'organisations of the consortium (first run only; at most --nodes)', default: 2, min: 1, max: 16}),
  }

  protected async execute() {
    const flags = this.flags
    const result = await up({dir: flags.dir, nodes: flags.nodes, consensus: flags.consensus as ConsensusKind, chainId: flags['chain-id'], basePort: flags['base-port'], template: flags.template, orgs: flags.orgs})
    if (result.created) this.warning(plaintextWarning(`the dev network's node and admin keys under ${result.dir}`))
    return result
  }

  protected render(result: Awaited<ReturnType<typeof up>>): void {
    this.log(`chain ${result.chainId} (${result.consensus}) is up in ${result.dir}`)
    this.log(renderTable(result.nodes.map(({name, rpc, p2p, pid}) => ({name, rpc, p2p, pid}))))
    this.log(`admin keystores (org1): ${Object.values(result.admin).join(', ')}`)
    if (result.orgs.length > 0) this.log(`organisations: ${result.orgs.map((org) => `${org.id} (${org.keys})`).join(', ')}`)
    this.log(`try: ${shellCommand()} tx send --rpc ${result.nodes[0]?.rpc} --key ${result.admin.user} --contract evidence --method put --args '{"key":"demo-1","hash":"${'ab'.repeat(32)}"}'`)
  }
}
