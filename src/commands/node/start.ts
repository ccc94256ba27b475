import {Flags} from '@oclif/core'
import {runNode} from '../../api/daemon.js'
import {readPasswordFile} from '../../core/crypto/index.js'
import {startDetached} from '../../ops/process.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {homeFlag} from '../../cli/flags.js'
import {renderNodeStarted} from '../../cli/node-output.js'
import {readNodeConfig} from '../../core/node/home.js'
import {clearStalePid, runningPid} from '../../ops/process.js'
import {clearExitRecord, guardNodeProcess, readExitRecord, writeExitRecord} from '../../ops/node-exit.js'
import type {RunningNode} from '../../api/daemon.js'

export default class NodeStart extends WichainCommand<typeof NodeStart> {
  static summary = 'Run a node: in the foreground, or detached (returns once the node answers)'
  static aliases = ['start-node']
  static examples = ['<%= config.bin %> node start --home ./net/node0 --detach --json']
  static flags = {
    home: homeFlag({required: true}),
    detach: Flags.boolean({description: 'run in the background (pid in HOME/node.pid, log in HOME/node.log)', default: false}),
    'password-file': Flags.string({description: 'password of an encrypted node keystore'}),
    'timeout-ms': Flags.integer({description: 'with --detach: how long to wait for the node to answer', default: 30_000}),
    'log-file': Flags.boolean({description: 'log to HOME/node.log instead of stderr', hidden: true, default: false}),
  }

  protected async execute() {
    const {home} = this.flags
    if (this.flags.detach) {
      const {pid, status} = await startDetached(home, {passwordFile: this.flags['password-file'], timeoutMs: this.flags['timeout-ms']})
      return {...status, pid, detached: true}
    }
    const existing = runningPid(home)
    if (existing !== undefined) throw new WichainError('NODE_RUNNING', `a node already runs on ${home} (pid ${existing})`)
    const password = this.flags['password-file'] === undefined ? undefined : await readPasswordFile(this.flags['password-file'])
    // A crashed run left its pid file (and maybe why, in node.exit): clean both, say it in the new log.
    clearStalePid(home)
    const previousExit = readExitRecord(home)
    clearExitRecord(home)
    let running: RunningNode | undefined
    const guard = guardNodeProcess({home, logger: () => running?.logger})
    try {
      running = await runNode({home, password, logToFile: this.flags['log-file']})
    } catch (error) {
      if (!(error instanceof WichainError && error.code === 'NODE_RUNNING')) writeExitRecord(home, {reason: `start failed: ${(error as Error).message}`, kind: 'startFailed', at: new Date().toISOString(), pid: process.pid})
      guard.dispose()
      throw error
    }
    if (previousExit !== undefined) running.logger.warn('the previous run of this node ended abnormally', {...previousExit})
    this.note(`node ${running.node.config.name} running; rpc http://${running.node.config.rpc.host}:${running.node.config.rpc.port} (Ctrl-C to stop)`)
    const started = running
    await new Promise<void>((resolve) => {
      const shutdown = () => void started.stop().then(resolve)
      process.once('SIGTERM', shutdown)
      process.once('SIGINT', shutdown)
    })
    guard.dispose()
    return {stopped: true, name: started.node.config.name}
  }

  /** Detached: a few lines (name, pid, chains, RPC, P2P, log); `--json` has the whole status. */
  protected render(result: Awaited<ReturnType<NodeStart['execute']>>): void {
    if (!('detached' in result)) return super.render(result)
    this.log(renderNodeStarted(this.flags.home, readNodeConfig(this.flags.home), result))
  }
}
