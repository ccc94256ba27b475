import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {homeFlag, rpcFlag} from '../../cli/flags.js'
import {parseMetricsText, type ParsedMetrics} from '../../sdk/metrics-text.js'

export default class NodeMetrics extends WichainCommand<typeof NodeMetrics> {
  static summary = 'Print a node\'s Prometheus metrics (GET /metrics on its RPC port); --json parses them into samples'
  static examples = ['<%= config.bin %> node metrics --home ./net/node0', '<%= config.bin %> node metrics --rpc http://127.0.0.1:26600 --json']
  static flags = {home: homeFlag(), rpc: rpcFlag(), ...signingFlags()}

  /** The exposition text as the node sent it: humans and `grep` get it unchanged. */
  private text = ''

  protected async execute(): Promise<ParsedMetrics> {
    this.text = await clientFor(this.flags).metricsText()
    return parseMetricsText(this.text)
  }

  protected render(): void {
    process.stdout.write(this.text)
  }
}
