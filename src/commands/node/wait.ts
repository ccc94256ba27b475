import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, clientSignerFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {createProgress} from '../../cli/progress.js'
import {WichainError} from '../../core/errors.js'
import {WichainClient} from '../../sdk/client.js'
import {waitForSync} from '../../ops/sync-wait.js'

interface SyncRow {
  readonly state: string
  readonly blocksPerSec: number
  readonly lastError?: string
}

function syncNote(sync: SyncRow): string {
  if (sync.state === 'stalled') return `STALLED: ${sync.lastError ?? 'no peer serves the missing blocks'}`
  return sync.state === 'catching-up' ? `${sync.state} at ${sync.blocksPerSec} blocks/s` : sync.state
}

export default class NodeWait extends WichainCommand<typeof NodeWait> {
  static summary = 'Wait until a node has caught up: to --height, to the --peer nodes\' height, or to what its own peers report'
  static description = 'The target is fixed when the wait starts. Shows a progress bar on a terminal; exits with TIMEOUT (6) if the node does not get there in time.'
  static examples = [
    '<%= config.bin %> node wait --home ./net/node2 --peer http://127.0.0.1:26600 --json',
    '<%= config.bin %> node wait --rpc http://127.0.0.1:26604 --height 1200',
  ]
  static flags = {
    ...signingFlags(),
    home: homeFlag(),
    rpc: rpcFlag(),
    chain: chainFlag(),
    height: Flags.integer({description: 'height to reach', min: 0}),
    peer: Flags.string({description: 'JSON-RPC URL of a node whose height is the target (repeatable)', multiple: true}),
    'timeout-ms': Flags.integer({description: 'give up after this long', default: 300_000, min: 1}),
  }

  protected async execute() {
    const {flags} = this
    if (flags.height !== undefined && flags.peer !== undefined) throw new WichainError('USAGE', 'give --height or --peer, not both')
    const client = clientFor(flags)
    const chainHeight = async (of: WichainClient): Promise<number> => (await of.chainStatus(flags.chain)).height
    const target = async (): Promise<number> => {
      if (flags.height !== undefined) return flags.height
      if (flags.peer !== undefined) return Math.max(...(await Promise.all(flags.peer.map((url) => chainHeight(new WichainClient(url, {signer: clientSignerFor(flags)}))))))
      // The heights the node's own peers reported to it (node status peerList).
      const status = (await client.status()) as {chains: Array<{chainId: string; height: number; peerList?: Array<{height?: number}>}>}
      const chain = status.chains.find((entry) => flags.chain === undefined || entry.chainId === flags.chain) ?? status.chains[0]
      if (chain === undefined) throw new WichainError('NOT_FOUND', 'the node hosts no chain')
      return Math.max(chain.height, ...(chain.peerList ?? []).map((peer) => peer.height ?? 0))
    }
    const progress = createProgress('sync', {json: this.jsonEnabled(), unit: 'blocks'})
    // The node's own sync state (node status): shown beside the bar, and the reason of a stall.
    let sync: SyncRow | undefined
    const height = async (): Promise<number> => {
      const status = (await client.status()) as {chains: Array<{chainId: string; height: number; sync?: SyncRow}>}
      const chain = status.chains.find((entry) => flags.chain === undefined || entry.chainId === flags.chain) ?? status.chains[0]
      if (chain === undefined) throw new WichainError('NOT_FOUND', 'the node hosts no chain')
      sync = chain.sync
      return chain.height
    }
    try {
      return await waitForSync({
        height,
        target,
        timeoutMs: flags['timeout-ms'],
        onProgress: (at, goal) => {
          progress.total(goal)
          progress.update(Math.min(at, goal), sync === undefined ? undefined : syncNote(sync))
        },
        describe: () => (sync === undefined ? undefined : syncNote(sync)),
      })
    } finally {
      progress.stop()
    }
  }
}
