import {Flags} from '@oclif/core'
import {initNetwork} from '../../ops/network.js'
import {WichainCommand} from '../../cli/base.js'
import {plaintextFlag} from '../../cli/flags.js'
import {newKeystorePassword, plaintextWarning} from '../../cli/new-keys.js'
import {renderTable} from '../../cli/output.js'
import type {ConsensusKind} from '../../core/types/certificate.js'

export default class ChainInit extends WichainCommand<typeof ChainInit> {
  static summary = 'Lay out a ready network: N node homes, genesis, and keystores for the four admin roles'
  static description =
    'Every keystore (node keys, admin/*.json) is SM4-encrypted under --password-file. Without it the command refuses, ' +
    'unless --plaintext asks for keys in clear (tests and dev networks only; it warns). `wichain up` makes a plaintext dev network.'
  static aliases = ['init-chain']
  static examples = [
    '<%= config.bin %> chain init --out ./net --nodes 1 --consensus solo --chain-id wi-dev --password-file pw.txt',
    '<%= config.bin %> chain init --out ./net --nodes 4 --consensus pbft --base-port 0 --plaintext --json',
  ]
  static flags = {
    out: Flags.string({description: 'directory to create', required: true}),
    nodes: Flags.integer({description: 'number of nodes', default: 1, min: 1, max: 64}),
    consensus: Flags.string({description: 'consensus algorithm', options: ['solo', 'pbft', 'raft'], default: 'solo'}),
    'chain-id': Flags.string({description: 'chain id ([a-z0-9_-])', default: 'wi-main'}),
    'base-port': Flags.integer({description: 'first port (rpc = base+2i, p2p = base+2i+1); 0 picks free ports', default: 26600, min: 0, max: 65535}),
    template: Flags.string({description: 'chain template from templates/chains', default: 'work-injury'}),
    'password-file': Flags.string({description: 'encrypt all keystores with the password in this file'}),
    orgs: Flags.integer({description: 'a consortium of N organisations (org1..orgN; keys in DIR/orgs/<id>/, nodes spread over them; genesis version 2)', min: 1, max: 16}),
    plaintext: plaintextFlag(),
    force: Flags.boolean({description: 'replace a non-empty --out directory', default: false}),
  }

  protected async execute() {
    const flags = this.flags
    const password = newKeystorePassword(flags, `the keystores of ${flags.out}`)
    const result = await initNetwork({
      out: flags.out,
      nodes: flags.nodes,
      consensus: flags.consensus as ConsensusKind,
      chainId: flags['chain-id'],
      basePort: flags['base-port'],
      template: flags.template,
      password,
      orgs: flags.orgs,
      force: flags.force,
    })
    if (password === undefined) this.warning(plaintextWarning(`${result.nodes.length} node key(s) and ${Object.keys(result.admin).length} admin keys under ${flags.out}`))
    return result
  }

  protected render(result: Awaited<ReturnType<typeof initNetwork>>): void {
    this.log(`chain ${result.chainId} (${result.consensus}), genesis ${result.genesisHash}`)
    this.log(renderTable(result.nodes.map(({name, home, rpc, p2p}) => ({name, home, rpc, p2p}))))
    this.log(renderTable(Object.entries(result.admin).map(([role, entry]) => ({role, ...entry}))))
    for (const org of result.orgs ?? []) this.log(`${org.id}: nodes ${org.nodes.join(', ')}; keys ${Object.keys(org.keys).join(', ')} in ${org.keys.orgadmin.file.replace(/[^/]+$/, '')}`)
  }
}
