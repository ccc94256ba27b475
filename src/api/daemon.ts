/**
 * Runs a node in this process: opens the home's chains, serves JSON-RPC, writes the pid file, and
 * shuts down gracefully on SIGTERM/SIGINT (stop ticking, drain the queue, flush and close the
 * stores, remove the pid file). Used by `wichain node start` (foreground or the detached child).
 */
import {rmSync, writeFileSync} from 'node:fs'
import type {Server} from 'node:http'
import {homePath, readNodeConfig} from '../core/node/home.js'
import {Node} from '../core/node/node.js'
import {createNodeLogger, type JsonLogger, type Logger, type LogLevel} from '../core/log.js'
import {LogFile} from '../core/log-file.js'
import {startRpcServer} from './rpc.js'

export interface RunningNode {
  readonly node: Node
  readonly server: Server
  /** The node's logger (the process-level guard of `node start` reports through it). */
  readonly logger: Logger
  stop(): Promise<void>
}

export async function runNode(options: {home: string; password?: string; logToFile?: boolean; logger?: Logger}): Promise<RunningNode> {
  // Size-bounded (rotating) node.log; repeated events rate-limited; a failing write costs a line, never the process.
  const logFile = options.logToFile === true ? new LogFile(homePath(options.home, 'log')) : undefined
  const level = (process.env.WICHAIN_LOG_LEVEL ?? readNodeConfig(options.home).logLevel) as LogLevel
  const json = options.logger === undefined
    ? createNodeLogger((line) => (logFile ?? process.stderr).write(line), {level})
    : undefined
  const logger: Logger = options.logger ?? (json as JsonLogger)
  const closeLog = (): void => {
    json?.flush()
    logFile?.close()
  }
  let node: Node
  let server: Server
  try {
    node = await Node.start({home: options.home, logger, password: options.password})
  } catch (error) {
    closeLog()
    throw error
  }
  try {
    server = await startRpcServer(node, {...node.config.rpc, metricsPublic: node.config.metrics?.public === true}, logger, {logStats: json?.stats})
  } catch (error) {
    await node.stop()
    closeLog()
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
      closeLog()
    })()
    return stopping
  }
  logger.info('rpc listening', {url: `http://${node.config.rpc.host}:${node.config.rpc.port}`})
  return {node, server, logger, stop}
}
