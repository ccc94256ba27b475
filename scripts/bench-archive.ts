/**
 * Archive figures: `tx get` latency on archived vs live txs, the LevelDB shrink, and the time to
 * archive and restore: `npx tsx scripts/bench-archive.ts [--blocks 100] [--txs 100] [--samples 200]`.
 * Needs the built binary (`npm run build`): the node runs as its own process.
 *
 * Builds a one-node solo home with `--blocks` blocks of `--txs` signed `evidence.put` txs (each
 * the SM3 digest of a distinct document plus a small meta) and starts it, which folds LevelDB's
 * log into tables, so sizes are of a settled store. Then, on the running node, `archive run`
 * below the middle height: the lower half is archived, the upper half live, blocks alike. Latency
 * is an A/B of the two halves with lookups interleaved (archived, live, live, archived, ...) so
 * load on a shared machine hits both alike; per lookup, p50/p99/mean ms of the second of two
 * passes (the first warms caches):
 *   rpc     `tx.get` over JSON-RPC (what `wichain tx get` does, minus the CLI's start-up);
 *   ledger  `Ledger.getTx` in-process on the same store (node stopped);
 *   query   the offline archive reader behind `wichain archive query` (re-hashes the segment).
 * The shrink: LevelDB bytes before the first run and after a second `archive run` below the head.
 * Prints one JSON document.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {Chain} from '../src/core/chain/chain.js'
import {fromHex, toHex, utf8} from '../src/core/bytes.js'
import {createSigner, readKeystoreFile} from '../src/core/crypto/index.js'
import {sm3} from '../src/core/crypto/sm3.js'
import {Ledger} from '../src/core/ledger/index.js'
import {nullLogger} from '../src/core/log.js'
import {chainDataPath, homePath, readGenesisFile} from '../src/core/node/home.js'
import {engineFactory} from '../src/core/node/node.js'
import {createTx} from '../src/core/types/tx.js'
import {queryArchive, runArchive} from '../src/ops/archive.js'
import {initNetwork} from '../src/ops/network.js'
import {startDetached, stopNode} from '../src/ops/process.js'
import {WichainClient} from '../src/sdk/client.js'

const {values} = parseArgs({options: {blocks: {type: 'string', default: '100'}, txs: {type: 'string', default: '100'}, samples: {type: 'string', default: '200'}}})
const blocks = Number(values.blocks)
const txsPerBlock = Number(values.txs)
const samples = Number(values.samples)
const CHAIN_ID = 'wi-bench'

async function buildChain(home: string, userKeyFile: string): Promise<void> {
  const genesis = readGenesisFile(homePath(home, 'genesis'))
  let clock = genesis.timestamp + 1_000
  const chain = await Chain.open({
    directory: chainDataPath(home, CHAIN_ID), genesis, nodeKey: readKeystoreFile(homePath(home, 'nodeKey')),
    logger: nullLogger, clock: () => clock, createEngine: engineFactory(nullLogger),
  })
  const signer = createSigner(readKeystoreFile(userKeyFile))
  try {
    for (let block = 0; block < blocks; block++) {
      for (let index = 0; index < txsPerBlock; index++) {
        const key = `b${block}-t${index}`
        const args = {key, hash: toHex(sm3(utf8(`document ${key}`))), meta: {type: 'injury-determination'}}
        const tx = createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args, expiry: block + 500}, signer)
        await chain.submitTx(tx.bytes)
      }
      while (chain.head().height < block + 1) {
        clock += 25
        await chain.tick()
      }
    }
  } finally {
    await chain.close()
  }
}

type Figures = {p50Ms: number; p99Ms: number; meanMs: number}

function figures(times: number[]): Figures {
  times.sort((a, b) => a - b)
  const at = (fraction: number) => Math.round(times[Math.min(times.length - 1, Math.floor(fraction * times.length))]! * 100) / 100
  return {p50Ms: at(0.5), p99Ms: at(0.99), meanMs: Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 100) / 100}
}

/** Two passes over the pairs, archived and live lookups interleaved; figures of the second pass. */
async function abLatency(pairs: ReadonlyArray<[string, string]>, lookup: (hash: string) => Promise<unknown>) {
  const time = async (hash: string, into: number[]) => {
    const started = performance.now()
    await lookup(hash)
    into.push(performance.now() - started)
  }
  let archived: number[] = []
  let live: number[] = []
  for (let pass = 0; pass < 2; pass++) {
    archived = []
    live = []
    for (const [index, [archivedHash, liveHash]] of pairs.entries()) {
      if (index % 2 === 0) {
        await time(archivedHash, archived)
        await time(liveHash, live)
      } else {
        await time(liveHash, live)
        await time(archivedHash, archived)
      }
    }
  }
  return {archived: figures(archived), live: figures(live)}
}

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const result = await task()
  return [result, Math.round(performance.now() - started)]
}

const root = mkdtempSync(join(tmpdir(), 'wichain-bench-archive-'))
try {
  const network = await initNetwork({out: join(root, 'net'), nodes: 1, consensus: 'solo', chainId: CHAIN_ID, basePort: 0, template: 'work-injury'})
  const home = network.nodes[0]!.home
  const dataDirectory = chainDataPath(home, CHAIN_ID)
  await buildChain(home, network.admin.user.file)
  const head = blocks
  const middle = Math.floor(head / 2)
  // Pair a tx of each archived height (1..middle-1) with one at the same place above the middle.
  const probe = await Ledger.open(dataDirectory)
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < samples; i++) {
    const height = 1 + (i % (middle - 1))
    const index = (i * 7919) % txsPerBlock
    const [low, high] = await Promise.all([probe.getBlock(height), probe.getBlock(height + middle)])
    pairs.push([low!.txs[index]!.hashHex, high!.txs[index]!.hashHex])
  }
  await probe.close()

  await startDetached(home)
  const client = new WichainClient(network.nodes[0]!.rpc)
  let rpc, first, second, secondMs
  try {
    first = await runArchive({home, below: middle})
    rpc = await abLatency(pairs, (hash) => client.getTx(hash))
    ;[second, secondMs] = await timed(() => runArchive({home, below: head}))
  } finally {
    await stopNode(home)
  }
  const query = await abLatency(pairs.slice(0, 50), (hash) => queryArchive({home, tx: hash}).catch(() => undefined))
  const ledger = await Ledger.open(dataDirectory)
  let inProcess, restoreMs
  try {
    await ledger.restoreArchive({segmentsMax: 1}) // the upper half is live again
    inProcess = await abLatency(pairs, (hash) => ledger.getTx(fromHex(hash)))
    ;[, restoreMs] = await timed(() => ledger.restoreArchive())
  } finally {
    await ledger.close()
  }
  const segments = [...first.segments, ...second.segments]
  console.log(JSON.stringify({
    machine: {cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg().map((load) => Math.round(load * 10) / 10)},
    chain: {blocks, txsPerBlock, txs: blocks * txsPerBlock, samples},
    sizes: {
      leveldbBefore: first.diskBytesBefore, leveldbAfter: second.diskBytesAfter,
      shrinkPercent: Math.round((1 - (second.diskBytesAfter as number) / (first.diskBytesBefore as number)) * 1000) / 10,
      archiveBytes: segments.reduce((total, segment) => total + (segment.segmentBytes as number) + (segment.indexBytes as number), 0),
      archiveRawBytes: segments.reduce((total, segment) => total + (segment.rawBytes as number), 0),
    },
    ms: {archiveRunOverRpc: {blocks: second.blocks, txs: second.txs, ms: secondMs}, restoreInProcess: {blocks: middle, ms: restoreMs}},
    txGetLatency: {rpc, ledger: inProcess, archiveQueryOffline: query.archived},
  }, null, 2))
} finally {
  rmSync(root, {recursive: true, force: true})
}
