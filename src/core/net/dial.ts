/** Opening an outgoing TCP connection with a deadline. */
import {connect, type Socket} from 'node:net'
import {WichainError} from '../errors.js'

export interface PendingDial {
  /** The socket, for the caller to track (and destroy on shutdown) while it connects. */
  readonly socket: Socket
  /** Resolves once connected; rejects with UNAVAILABLE or TIMEOUT. */
  readonly connected: Promise<Socket>
}

export function dialSocket(host: string, port: number, timeoutMs: number): PendingDial {
  const socket = connect({host, port})
  const connected = new Promise<Socket>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new WichainError('TIMEOUT', `connect to ${host}:${port} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(new WichainError('UNAVAILABLE', `connect to ${host}:${port} failed: ${error.message}`, undefined, {cause: error}))
    })
    socket.once('close', () => {
      clearTimeout(timer)
      reject(new WichainError('UNAVAILABLE', `connect to ${host}:${port} aborted`))
    })
  })
  return {socket, connected}
}
