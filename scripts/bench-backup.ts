/**
 * Backup and restore throughput beside `tar czf` / `tar xzf` of the same data directory:
 * `npx tsx scripts/bench-backup.ts [--blocks 200] [--txs 100] [--runs 3]`.
 *
 * Builds a one-node (solo) home in a temp directory with `--blocks` blocks of `--txs`
 * `evidence.put` txs each, stops it, then times (best of `--runs`): `backup create` from the
 * stopped ledger, `backup create` over JSON-RPC from the running node, `backup verify`, `restore`
 * (verify + re-execute every block into a fresh ledger); and GNU tar on HOME/data. MB/s are MB
 * (10^6 bytes) of the LevelDB data directory per second of wall clock. Prints one JSON document.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {runNode} from '../src/api/daemon.js'
import {Chain} from '../src/core/chain/chain.js'
import {createSigner, readKeystoreFile} from '../src/core/crypto/index.js'
import {nullLogger} from '../src/core/log.js'
import {chainDataPath, homePath, readGenesisFile} from '../src/core/node/home.js'
import {engineFactory} from '../src/core/node/node.js'
import {createTx} from '../src/core/types/tx.js'
import {createBackup, restoreBackups, verifyBackups} from '../src/ops/backup/index.js'
import {initNetwork} from '../src/ops/network.js'

const {values} = parseArgs({options: {blocks: {type: 'string', default: '200'}, txs: {type: 'string', default: '100'}, runs: {type: 'string', default: '3'}}})
const blocks = Number(values.blocks)
const txsPerBlock = Number(values.txs)
const runs = Number(values.runs)
const CHAIN_ID = 'wi-bench'

async function buildChain(home: string, userKeyFile: string): Promise<void> {
  const genesis = readGenesisFile(homePath(home, 'genesis'))
  let clock = genesis.timestamp + 1_000
  const chain = await Chain.open({
    directory: chainDataPath(home, CHAIN_ID),
    genesis,
    nodeKey: readKeystoreFile(homePath(home, 'nodeKey')),
    logger: nullLogger,
    clock: () => clock,
    createEngine: engineFactory(nullLogger),
  })
  const signer = createSigner(readKeystoreFile(userKeyFile))
  try {
    for (let block = 0; block < blocks; block++) {
      const txs = Array.from({length: txsPerBlock}, (_, index) =>
        createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {key: `b${block}-t${index}`, hash: 'ab'.repeat(32)}, expiry: block + 500}, signer),
      )
      for (const tx of txs) await chain.submitTx(tx.bytes)
      while (chain.head().height < block + 1) {
        clock += 25
        await chain.tick()
      }
    }
  } finally {
    await chain.close()
  }
}

/** Best (smallest) wall-clock ms of `runs` runs of `task`; `reset` runs untimed before each. */
async function best(task: (run: number) => Promise<unknown> | unknown, reset: (run: number) => void = () => undefined): Promise<number> {
  let fastest = Infinity
  for (let run = 0; run < runs; run++) {
    reset(run)
    const started = performance.now()
    await task(run)
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

function bytesOf(path: string): number {
  return Number(execFileSync('du', ['-sb', path], {encoding: 'utf8'}).split('\t')[0])
}

const root = mkdtempSync(join(tmpdir(), 'wichain-bench-backup-'))
try {
  const network = await initNetwork({out: join(root, 'net'), nodes: 1, consensus: 'solo', chainId: CHAIN_ID, basePort: 0, template: 'dev'})
  const home = network.nodes[0]!.home
  const building = performance.now()
  await buildChain(home, network.admin.user.file)
  const buildMs = performance.now() - building
  const dataBytes = bytesOf(join(home, 'data'))
  const file = (name: string, run: number) => join(root, `${name}-${run}.wbk`)
  const signer = createSigner(readKeystoreFile(network.admin.auditor.file))

  const backupLedgerMs = await best((run) => createBackup({home, out: file('ledger', run), signer}))
  const backupBytes = bytesOf(file('ledger', 0))
  const running = await runNode({home, logger: nullLogger})
  let backupRpcMs: number
  try {
    backupRpcMs = await best((run) => createBackup({home, out: file('rpc', run), signer}))
  } finally {
    await running.stop()
  }
  const verifyMs = await best(() => verifyBackups({file: file('ledger', 0)}))
  const restoreMs = await best((run) => restoreBackups({home: join(root, `restored-${run}`), from: [file('ledger', 0)]}))
  const tarArchive = join(root, 'tar.tgz')
  const tarCreateMs = await best(() => execFileSync('tar', ['czf', tarArchive, '-C', home, 'data']))
  const tarBytes = bytesOf(tarArchive)
  const tarExtractMs = await best(
    (run) => execFileSync('tar', ['xzf', tarArchive, '-C', join(root, `untar-${run}`)]),
    (run) => mkdirSync(join(root, `untar-${run}`)),
  )
  const mbps = (ms: number) => Math.round((dataBytes / 1e6 / (ms / 1000)) * 10) / 10
  const round = (ms: number) => Math.round(ms)
  console.log(JSON.stringify({
    machine: {cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg().map((load) => Math.round(load * 10) / 10)},
    chain: {blocks, txsPerBlock, txs: blocks * txsPerBlock, dataBytes, buildMs: round(buildMs)},
    sizes: {backupBytes, tarBytes},
    ms: {backupLedger: round(backupLedgerMs), backupRpc: round(backupRpcMs), verify: round(verifyMs), restore: round(restoreMs), tarCreate: round(tarCreateMs), tarExtract: round(tarExtractMs)},
    mbPerSecond: {backupLedger: mbps(backupLedgerMs), backupRpc: mbps(backupRpcMs), verify: mbps(verifyMs), restore: mbps(restoreMs), tarCreate: mbps(tarCreateMs), tarExtract: mbps(tarExtractMs)},
  }, null, 2))
} finally {
  rmSync(root, {recursive: true, force: true})
}
