import {Flags} from '@oclif/core'
import {existsSync, writeFileSync} from 'node:fs'
import {createSignedVote} from '../../core/chain/governance/votes.js'
import {addressOf, createSigner} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, loadKey} from '../../cli/context.js'
import {chainFlag, homeFlag, keyFlag, passwordFileFlag, rpcFlag} from '../../cli/flags.js'
import {proposalIdArg, voteFacts} from '../../cli/proposals.js'

export default class ProposalSign extends WichainCommand<typeof ProposalSign> {
  static summary = 'Sign a vote offline (an air-gapped admin key) into a file that any account may carry with `proposal submit-vote`'
  static description =
    'The signature covers the chain id, the proposal id, approve or reject and the vote\'s expiry height (at most the proposal\'s). ' +
    'With --chain-id and --expiry-height the command needs no node at all (copy them from `proposal show` on a connected machine); ' +
    'otherwise it reads them from --rpc/--home. The vote counts once, for the signer\'s organisation, until its expiry height.'
  static examples = [
    '<%= config.bin %> proposal sign 3 --key org2-admin.json --password-file pw.txt --chain-id wi-main --expiry-height 1042 --out vote.json --json',
    '<%= config.bin %> proposal sign 3 --home net/node0 --key net/orgs/org2/orgadmin.json --reject --out vote.json',
  ]
  static args = {id: proposalIdArg}
  static flags = {
    key: keyFlag({description: 'the voter\'s keystore (the vote is its signature)', required: true}),
    'password-file': passwordFileFlag(),
    out: Flags.string({description: 'the signed vote file to write', required: true}),
    approve: Flags.boolean({description: 'approve (the default)', exclusive: ['reject']}),
    reject: Flags.boolean({description: 'reject the proposal', exclusive: ['approve']}),
    'chain-id': Flags.string({description: 'the chain\'s id (air-gapped: no node needed with --expiry-height)'}),
    'expiry-height': Flags.integer({description: 'last height at which the vote may count (default: the proposal\'s expiry height)', min: 1}),
    force: Flags.boolean({description: 'overwrite an existing --out file', default: false}),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
  }

  protected async execute() {
    const flags = this.flags
    if (existsSync(flags.out) && !flags.force) throw new WichainError('ALREADY_EXISTS', `${flags.out} exists; pass --force to overwrite`)
    const keyPair = await loadKey(flags)
    const facts = await voteFacts(() => clientFor(flags), this.args.id, {chainId: flags['chain-id'] ?? flags.chain, expiryHeight: flags['expiry-height']})
    const vote = createSignedVote(createSigner(keyPair), {chainId: facts.chainId, proposalId: this.args.id, approve: flags.reject !== true, expiryHeight: facts.expiryHeight})
    writeFileSync(flags.out, `${JSON.stringify(vote, null, 2)}\n`)
    return {file: flags.out, voter: addressOf(keyPair.publicKey), ...vote}
  }
}
