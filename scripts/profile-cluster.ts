/**
 * CPU profile of the chain layer alone: four PBFT Chains in one process (the test fixture's
 * in-memory network), N SM2-signed evidence txs submitted to node 0 and forwarded to the others.
 * Prints CPU milliseconds per committed tx (all four nodes together). Run with
 * `node --import tsx --cpu-prof scripts/profile-cluster.ts [txs]` to see where the time goes.
 */
import {writeFileSync} from 'node:fs'
import {Session} from 'node:inspector'
import {toHex} from '../src/core/bytes.js'
import {parseGenesis} from '../src/core/chain/genesis.js'
import {addressOf, createSigner, generateKeyPair} from '../src/core/crypto/index.js'
import {createTx} from '../src/core/types/tx.js'
import {LoopbackCluster} from '../test/unit/core/chain/cluster-fixture.js'

const count = Number(process.argv[2] ?? 4000)
const nodeKeys = Array.from({length: 4}, () => generateKeyPair())
const user = generateKeyPair()
const signer = createSigner(user)
const genesis = parseGenesis({
  version: 1,
  chainId: 'wi-prof',
  consensus: 'pbft',
  timestamp: 1_700_000_000_000,
  validators: nodeKeys.map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
  accounts: [{name: 'user', role: 'user', publicKey: toHex(user.publicKey), address: addressOf(user.publicKey)}],
  params: {blockTxsMax: 500, blockIntervalMs: 1, txExpiryWindow: 1000, mempoolTxsMax: 100_000},
})
const txs = Array.from({length: count}, (_, index) => createTx({chainId: 'wi-prof', contract: 'evidence', method: 'put', args: {key: `k${index}`, hash: 'ab'.repeat(32)}, expiry: 900}, signer))
const cluster = new LoopbackCluster(genesis, nodeKeys)
await cluster.openAll()
// Warm up (module loading, first-sighting key tables) outside the measured window.
const warm = createTx({chainId: 'wi-prof', contract: 'evidence', method: 'put', args: {key: 'warm', hash: 'ab'.repeat(32)}, expiry: 900}, signer)
await cluster.chains[0]!.submitTx(warm.bytes)
await cluster.run(10_000, () => cluster.committedEverywhere(warm.hashHex))
// PROFILE_OUT=FILE: a CPU profile of the measured window only (open it in Chrome DevTools).
const session = process.env.PROFILE_OUT === undefined ? undefined : new Session()
const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))))
if (session !== undefined) {
  session.connect()
  await post('Profiler.enable')
  await post('Profiler.start')
}
const before = process.cpuUsage()
const started = performance.now()
for (const tx of txs) await cluster.chains[0]!.submitTx(tx.bytes)
await cluster.run(100_000, () => cluster.chains.every((chain) => chain.isPending(txs.at(-1)!.hashHex) === false) && cluster.committedEverywhere(txs.at(-1)!.hashHex))
const used = process.cpuUsage(before)
console.log(JSON.stringify({txs: count, heights: cluster.chains[0]!.head().height, cpuMsPerTx: ((used.user + used.system) / 1000 / count).toFixed(3), wallMs: Math.round(performance.now() - started)}))
if (session !== undefined) writeFileSync(process.env.PROFILE_OUT!, JSON.stringify((await post('Profiler.stop')).profile))
await cluster.close()
