import {Flags} from '@oclif/core'
import {benchTps} from '../../bench/tps.js'
import {WichainCommand} from '../../cli/base.js'
import type {ConsensusKind} from '../../core/types/certificate.js'

export default class BenchTps extends WichainCommand<typeof BenchTps> {
  static summary = 'Measure sustained tps and commit latency on real node processes on loopback'
  static examples = ['<%= config.bin %> bench tps --nodes 4 --consensus pbft --txs 5000 --json', '<%= config.bin %> bench tps --nodes 4 --consensus pbft --txs 10000 --rate 1000 --batch 50 --json', '<%= config.bin %> bench tps --nodes 1 --consensus solo --txs 2000']
  static flags = {
    nodes: Flags.integer({description: 'nodes', default: 4, min: 1, max: 16}),
    consensus: Flags.string({description: 'consensus', options: ['solo', 'pbft', 'raft'], default: 'pbft'}),
    txs: Flags.integer({description: 'txs to submit', default: 5000, min: 1, max: 200_000}),
    batch: Flags.integer({description: 'txs per JSON-RPC batch', default: 100, min: 1, max: 100}),
    rate: Flags.integer({description: 'offered load in txs/s (open loop); default: a burst as fast as nodes accept', min: 1, max: 100_000}),
    'timeout-ms': Flags.integer({description: 'give up waiting for commits after this long', default: 120_000}),
    template: Flags.string({description: 'chain template (templates/chains)', default: 'work-injury'}),
  }

  protected async execute() {
    const flags = this.flags
    return benchTps({
      nodes: flags.nodes,
      consensus: flags.consensus as ConsensusKind,
      txs: flags.txs,
      batch: flags.batch,
      rate: flags.rate,
      timeoutMs: flags['timeout-ms'],
      template: flags.template,
      progress: (message) => this.note(message),
    })
  }
}
