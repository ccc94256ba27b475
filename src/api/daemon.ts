/**
 * Runs a node in this process: opens the home's chains, serves JSON-RPC, writes the pid file, and
 * shuts down gracefully on SIGTERM/SIGINT (stop ticking, drain the queue, flush and close the
 * stores, remove the pid file). Used by `wichain node start` (foreground or the detached child).
 */
import {createWriteStream, rmSync, writeFileSync} from 'node:fs'
import type {Server} from 'node:http'
import {homePath, readNodeConfig} from '../core/node/home.js'
import {Node} from '../core/node/node.js'
import {createJsonLogger, type Logger} from '../core/log.js'
import {startRpcServer} from './rpc.js'

export interface RunningNode {
  readonly node: Node
  readonly server: Server
  stop(): Promise<void>
}

export async function runNode(options: {home: string; password?: string; logToFile?: boolean; logger?: Logger}): Promise<RunningNode> {
  const logStream = options.logToFile === true ? createWriteStream(homePath(options.home, 'log'), {flags: 'a'}) : undefined
  const level = process.env.WICHAIN_LOG_LEVEL ?? readNodeConfig(options.home).logLevel
  const logger = options.logger ?? createJsonLogger((line) => (logStream ?? process.stderr).write(line), {level: level as 'debug' | 'info' | 'warn' | 'error'})
  const node = await Node.start({home: options.home, logger, password: options.password})
  let server: Server
  try {
    server = await startRpcServer(node, node.config.rpc, logger)
  } catch (error) {
    await node.stop()
    throw error
  }
  writeFileSync(homePath(options.home, 'pid'), `${process.pid}\n`)
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down')
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await node.stop()
      rmSync(homePath(options.home, 'pid'), {force: true})
      await new Promise<void>((resolve) => (logStream ? logStream.end(resolve) : resolve()))
    })()
    return stopping
  }
  logger.info('rpc listening', {url: `http://${node.config.rpc.host}:${node.config.rpc.port}`})
  return {node, server, stop}
}
