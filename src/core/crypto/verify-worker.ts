/**
 * A VerifyPool worker thread: verifies packed tasks with fastVerifyBatch, i.e. the native addon
 * when it is built (this thread's own addon instance and key caches), else pure JS with this
 * thread's own precompute cache. Started only by verify-pool.ts.
 */
import {parentPort} from 'node:worker_threads'
import {fastVerifyBatch, nativeSm2} from './native.js'
import {
  unpackSignedMessages, type VerifyReadyMessage, type VerifyReplyMessage, type VerifyTaskMessage,
} from './verify-pool-protocol.js'

const port = parentPort
if (port === null) throw new Error('verify-worker runs only as a worker thread of VerifyPool')

port.on('message', (task: VerifyTaskMessage) => {
  const valid = fastVerifyBatch(unpackSignedMessages(task.buffer, task.count))
  const results = Uint8Array.from(valid, (ok) => (ok ? 1 : 0))
  const reply: VerifyReplyMessage = {kind: 'reply', id: task.id, results}
  port.postMessage(reply, [results.buffer])
})

const ready: VerifyReadyMessage = {kind: 'ready', native: nativeSm2 !== undefined}
port.postMessage(ready)
