import {Flags} from '@oclif/core'
import {stopNode} from '../../ops/process.js'
import {WichainCommand} from '../../cli/base.js'
import {homeFlag} from '../../cli/flags.js'

export default class NodeStop extends WichainCommand<typeof NodeStop> {
  static summary = 'Stop a node gracefully; returns when it has exited and flushed its data'
  static aliases = ['stop-node']
  static examples = ['<%= config.bin %> node stop --home ./net/node0']
  static flags = {
    home: homeFlag({required: true}),
    'timeout-ms': Flags.integer({description: 'how long to wait for the exit', default: 30_000}),
    force: Flags.boolean({description: 'SIGKILL if it has not exited by the timeout', default: false}),
  }

  protected async execute() {
    return stopNode(this.flags.home, {timeoutMs: this.flags['timeout-ms'], force: this.flags.force})
  }
}
