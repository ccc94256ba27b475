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
  /** Resolves once the receiver has counted `total` messages (no busy polling: the CPU is shared). */
  readonly reach: (total: number) => Promise<void>
  readonly close: () => Promise<void>
}

// Atomics.waitAsync is in Node 20 but not in the ES2023 lib this project compiles against.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): {async: boolean; value: unknown}
}).waitAsync

function reacher(counter: Int32Array): (total: number) => Promise<void> {
  return async (total) => {
    Atomics.store(counter, 1, total)
    for (let current = Atomics.load(counter, 0); current < total; current = Atomics.load(counter, 0)) {
      const wait = waitAsync(counter, 0, current, 1_000)
      if (wait.async) await wait.value
    }
  }
}

const CASES: readonly Case[] = [{messageBytes: 200, window: 2_000}, {messageBytes: 64 * 1024, window: 256}]
const NETWORK_ID = 'bench'

async function startReceiver(key: KeyPair, allowed: readonly string[], counter: Int32Array): Promise<NetworkNode> {
  const node = await NetworkNode.start({nodeKey: key, networkId: NETWORK_ID, isAllowed: (peer) => allowed.includes(peer)})
  node.onMessage(() => {
    // counter[0] counts messages; counter[1] is the count the sender waits for.
    if (Atomics.add(counter, 0, 1) + 1 >= Atomics.load(counter, 1)) Atomics.notify(counter, 0)
  })
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
    port, received: () => Atomics.load(counter, 0), reach: reacher(counter),
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
  const cpuBefore = process.cpuUsage()
  while (performance.now() < started + seconds * 1000) {
    for (let i = 0; i < benchCase.window; i++) sender.send(to, 'sync', body)
    sent += benchCase.window
    await receiver.reach(base + sent)
  }
  const elapsed = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  // CPU time of the whole process (both ends, all threads): the machine is shared, wall time is noisy.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  console.log(JSON.stringify({
    messageBytes: benchCase.messageBytes, messages: sent, seconds: Number(elapsed.toFixed(2)),
    framesPerSecond: Math.round(sent / elapsed), megabytesPerSecond: Number((sent * benchCase.messageBytes / elapsed / 1e6).toFixed(1)),
    cpuSeconds: Number(cpuSeconds.toFixed(2)), framesPerCpuSecond: Math.round(sent / cpuSeconds),
    megabytesPerCpuSecond: Number((sent * benchCase.messageBytes / cpuSeconds / 1e6).toFixed(1)),
    dropped: sender.peers()[0].messagesDropped,
  }))
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3)
  const sameThread = process.argv.includes('--same-thread')
  const [aliceKey, bobKey] = [generateKeyPair(), generateKeyPair()]
  const allowed = [toHex(aliceKey.publicKey), toHex(bobKey.publicKey)]
  const counter = new Int32Array(new SharedArrayBuffer(8))
  let receiver: Receiver
  if (sameThread) {
    const bob = await startReceiver(bobKey, allowed, counter)
    receiver = {port: bob.address().port, received: () => Atomics.load(counter, 0), reach: reacher(counter), close: () => bob.close()}
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
