import {Flags} from '@oclif/core'
import {PROPOSAL_STATUSES} from '../../core/chain/governance/records.js'
import {GOVERNANCE_LIMITS} from '../../core/chain/governance/records.js'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import type {ProposalSummary} from '../../cli/governance.js'
import {renderTable} from '../../cli/output.js'

interface ProposalPage {
  readonly total: number
  readonly proposals: Array<ProposalSummary & {proposer: {address: string; org: string}; createdHeight: number; expiryHeight: number; votes: number}>
}

export default class ProposalList extends WichainCommand<typeof ProposalList> {
  static summary = 'List proposals, newest first (consortium chains): id, resource, action, status, votes, needs'
  static examples = ['<%= config.bin %> proposal list --home net/node0 --status voting --json']
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    status: Flags.string({description: 'only proposals with this status', options: [...PROPOSAL_STATUSES]}),
    offset: Flags.integer({description: 'skip this many (matching) proposals', default: 0, min: 0, max: GOVERNANCE_LIMITS.listScanMax}),
    limit: Flags.integer({description: 'at most this many proposals', default: GOVERNANCE_LIMITS.pageMax, min: 1, max: GOVERNANCE_LIMITS.pageMax}),
  }

  protected async execute(): Promise<ProposalPage> {
    const args = {...(this.flags.status === undefined ? {} : {status: this.flags.status}), offset: this.flags.offset, limit: this.flags.limit}
    const {result} = await clientFor(this.flags).query('governance', 'list', args)
    return result as ProposalPage
  }

  protected render(result: ProposalPage): void {
    if (result.proposals.length === 0) {
      this.log('no proposals')
      return
    }
    this.log(renderTable(result.proposals.map((proposal) => ({
      id: proposal.id,
      resource: proposal.resource,
      action: `${proposal.action.contract}.${proposal.action.method}`,
      status: proposal.status,
      needs: proposal.status === 'voting' ? proposal.needs : '',
      votes: proposal.votes,
      proposer: proposal.proposer.org,
      expires: proposal.expiryHeight,
    }))))
  }
}
