/**
 * Throughput of one encrypted connection (SM4-CTR + HMAC-SM3) between two NetworkNodes on
 * loopback. The receiver runs in a worker thread, as a real peer would run in its own process.
 * Run: npx tsx bench/net.ts [seconds-per-case] [--same-thread]. Messages go out in windows no
 * larger than the send queue and the sender waits for the receiver to catch up, so none drop.
 */
import {isMainThread, parentPort, Worker, workerData} from 'node:worker_threads'
import {generateKeyPair, type KeyPair} from '../src/core/crypto/index.js'
import {toHex} from '../src/core/bytes.js'
import {NetworkNode} from '../src/core/net/index.js'

interface Case {
  readonly messageBytes: number
  readonly window: number
}

interface Receiver {
  readonly port: number
  readonly received: () => number
  readonly close: () => Promise<void>
}

const CASES: readonly Case[] = [{messageBytes: 200, window: 2_000}, {messageBytes: 64 * 1024, window: 256}]
const NETWORK_ID = 'bench'

async function startReceiver(key: KeyPair, allowed: readonly string[], counter: Int32Array): Promise<NetworkNode> {
  const node = await NetworkNode.start({nodeKey: key, networkId: NETWORK_ID, isAllowed: (peer) => allowed.includes(peer)})
  node.onMessage(() => Atomics.add(counter, 0, 1))
  return node
}

async function receiverInWorker(key: KeyPair, allowed: readonly string[], counter: Int32Array): Promise<Receiver> {
  // A worker cannot load a .ts entry directly: register tsx in it first, then import this file.
  const entry = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`
  const worker = new Worker(entry, {eval: true, workerData: {key, allowed, counter}})
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return {
    port, received: () => Atomics.load(counter, 0),
    close: async () => {
      worker.postMessage('close')
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}

async function runCase(sender: NetworkNode, to: string, receiver: Receiver, benchCase: Case, seconds: number): Promise<void> {
  const body = new Uint8Array(benchCase.messageBytes).fill(0x5a)
  const base = receiver.received()
  let sent = 0
  const started = performance.now()
  while (performance.now() < started + seconds * 1000) {
    for (let i = 0; i < benchCase.window; i++) sender.send(to, 'sync', body)
    sent += benchCase.window
    while (receiver.received() - base < sent) await new Promise((resolve) => setImmediate(resolve))
  }
  const elapsed = (performance.now() - started) / 1000
  console.log(JSON.stringify({
    messageBytes: benchCase.messageBytes, messages: sent, seconds: Number(elapsed.toFixed(2)),
    framesPerSecond: Math.round(sent / elapsed), megabytesPerSecond: Number((sent * benchCase.messageBytes / elapsed / 1e6).toFixed(1)),
    dropped: sender.peers()[0].messagesDropped,
  }))
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3)
  const sameThread = process.argv.includes('--same-thread')
  const [aliceKey, bobKey] = [generateKeyPair(), generateKeyPair()]
  const allowed = [toHex(aliceKey.publicKey), toHex(bobKey.publicKey)]
  const counter = new Int32Array(new SharedArrayBuffer(4))
  let receiver: Receiver
  if (sameThread) {
    const bob = await startReceiver(bobKey, allowed, counter)
    receiver = {port: bob.address().port, received: () => Atomics.load(counter, 0), close: () => bob.close()}
  } else {
    receiver = await receiverInWorker(bobKey, allowed, counter)
  }
  const alice = await NetworkNode.start({
    nodeKey: aliceKey, networkId: NETWORK_ID, isAllowed: (peer) => allowed.includes(peer),
    peers: [{publicKey: allowed[1], host: '127.0.0.1', port: receiver.port}],
  })
  while (!alice.isConnected(allowed[1])) await new Promise((resolve) => setTimeout(resolve, 5))
  console.log(JSON.stringify({receiver: sameThread ? 'same thread' : 'worker thread'}))
  for (const benchCase of CASES) await runCase(alice, allowed[1], receiver, benchCase, seconds)
  await alice.close()
  await receiver.close()
}

if (isMainThread) {
  await main()
} else {
  const {key, allowed, counter} = workerData as {key: KeyPair; allowed: string[]; counter: Int32Array}
  const node = await startReceiver(key, allowed, counter)
  parentPort?.postMessage(node.address().port)
  parentPort?.once('message', () => void node.close().then(() => process.exit(0)))
}
