/**
 * A real one-node (solo) home for the backup tests, laid out by `initNetwork`, whose chain grows
 * in-process: each `commit(n)` (or `commitCalls`) opens the home's chain, commits one block per tx
 * under an injected clock, and closes it again (so the ledger is free for a backup).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Chain} from '../../../src/core/chain/chain.js'
import type {Role} from '../../../src/core/chain/genesis.js'
import {createSigner, readKeystoreFile} from '../../../src/core/crypto/index.js'
import {WichainError} from '../../../src/core/errors.js'
import {nullLogger} from '../../../src/core/log.js'
import {chainDataPath, homePath, readGenesisFile} from '../../../src/core/node/home.js'
import {engineFactory} from '../../../src/core/node/node.js'
import {createTx} from '../../../src/core/types/tx.js'
import {initNetwork, type InitNetworkResult} from '../../../src/ops/network.js'

export class TestHome {
  private clock: number
  private counter = 0

  private constructor(
    readonly root: string,
    readonly home: string,
    readonly chainId: string,
    private readonly admin: InitNetworkResult['admin'],
    genesisTimestamp: number,
  ) {
    this.clock = genesisTimestamp + 1_000
  }

  static async create(chainId = 'wi-backup'): Promise<TestHome> {
    const root = mkdtempSync(join(tmpdir(), 'wichain-backup-test-'))
    const network = await initNetwork({out: join(root, 'net'), nodes: 1, consensus: 'solo', chainId, basePort: 0, template: 'dev'})
    const home = network.nodes[0]!.home
    return new TestHome(root, home, chainId, network.admin, readGenesisFile(homePath(home, 'genesis')).timestamp)
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts)
  }

  openChain(home = this.home): Promise<Chain> {
    return Chain.open({
      directory: chainDataPath(home, this.chainId),
      genesis: readGenesisFile(homePath(home, 'genesis')),
      nodeKey: readKeystoreFile(homePath(home, 'nodeKey')),
      logger: nullLogger,
      clock: () => this.clock,
      createEngine: engineFactory(nullLogger),
    })
  }

  /** Commit `blocks` blocks of one `evidence.put` tx each; returns the tx hashes. */
  async commit(blocks: number): Promise<string[]> {
    return this.commitCalls(Array.from({length: blocks}, () => ({role: 'user' as const, contract: 'evidence', method: 'put', args: {key: `record-${this.counter++}`, hash: 'ab'.repeat(32)}})))
  }

  /** Commit one block per call, each signed by the admin keystore of `role`; returns the tx hashes. */
  async commitCalls(calls: ReadonlyArray<{role: Role; contract: string; method: string; args: unknown}>): Promise<string[]> {
    const chain = await this.openChain()
    const hashes: string[] = []
    try {
      for (const call of calls) {
        const signer = createSigner(readKeystoreFile(this.admin[call.role].file))
        const tx = createTx({chainId: this.chainId, contract: call.contract, method: call.method, args: call.args, expiry: chain.head().height + 500}, signer)
        await chain.submitTx(tx.bytes)
        for (let tick = 0; (await chain.getTxLocation(tx.hashHex)) === undefined; tick++) {
          if (tick > 100) throw new Error(`tx ${tx.hashHex} did not commit`)
          this.clock += 25
          await chain.tick()
        }
        hashes.push(tx.hashHex)
      }
    } finally {
      await chain.close()
    }
    return hashes
  }

  cleanup(): void {
    rmSync(this.root, {recursive: true, force: true})
  }
}

/** Awaits `promise` and returns the WichainError it rejects with (fails if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<WichainError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof WichainError) return error
    throw error
  }
  throw new Error('expected a WichainError, but the call succeeded')
}
