import {Flags} from '@oclif/core'
import {benchCatchup, type CatchupResult} from '../../bench/catchup.js'
import {WichainCommand} from '../../cli/base.js'
import {renderTable} from '../../cli/output.js'
import type {ConsensusKind} from '../../core/types/certificate.js'

export default class BenchCatchup extends WichainCommand<typeof BenchCatchup> {
  static summary = 'Measure how fast a restarted node catches up a gap of full blocks, beside the live commit rate'
  static examples = ['<%= config.bin %> bench catchup --consensus pbft --blocks 100 --json', '<%= config.bin %> bench catchup --consensus raft --blocks 5 --block-txs 200']
  static flags = {
    consensus: Flags.string({description: 'consensus', options: ['pbft', 'raft'], default: 'pbft'}),
    nodes: Flags.integer({description: 'nodes (the last one is stopped and catches up)', default: 4, min: 2, max: 16}),
    blocks: Flags.integer({description: 'full blocks in the gap', default: 100, min: 1, max: 400}),
    'block-txs': Flags.integer({description: "txs per block (genesis blockTxsMax); default: the template's", min: 1, max: 10_000}),
    template: Flags.string({description: 'chain template (templates/chains)', default: 'work-injury'}),
    'timeout-ms': Flags.integer({description: 'longest wait for the live load and for the catch-up, each', default: 20 * 60_000}),
  }

  protected async execute() {
    const flags = this.flags
    return benchCatchup({
      consensus: flags.consensus as ConsensusKind,
      nodes: flags.nodes,
      blocks: flags.blocks,
      blockTxs: flags['block-txs'],
      template: flags.template,
      timeoutMs: flags['timeout-ms'],
      progress: (message) => this.note(message),
    })
  }

  protected render(result: CatchupResult): void {
    const {gap, live, catchup, ratio} = result
    const mb = (gap.bytes / 1e6).toFixed(1)
    this.log(`${result.nodes} ${result.consensus} nodes; gap of ${gap.blocks} blocks (${gap.fullBlocks} full, ${gap.txs} txs, ${mb} MB), heights ${gap.fromHeight + 1}..${gap.toHeight}`)
    this.log(
      renderTable([
        {phase: 'live (cluster builds the gap)', seconds: live.ms / 1000, 'blocks/s': live.blocksPerSec, 'MB/s': live.mbPerSec, 'ratio to live': 1},
        {phase: 'catch-up: start until ready', seconds: catchup.readyMs / 1000, 'blocks/s': '', 'MB/s': '', 'ratio to live': ''},
        {phase: 'catch-up: sync (ready → head)', seconds: catchup.syncMs / 1000, 'blocks/s': catchup.blocksPerSec, 'MB/s': catchup.mbPerSec, 'ratio to live': ratio.sync},
        {phase: 'catch-up: start → head', seconds: catchup.withStart.ms / 1000, 'blocks/s': catchup.withStart.blocksPerSec, 'MB/s': catchup.withStart.mbPerSec, 'ratio to live': ratio.withStart},
      ]),
    )
    this.log(`load average (1/5/15 min): ${result.loadAverage.start.join(' ')} at start, ${result.loadAverage.end.join(' ')} at end`)
  }
}
