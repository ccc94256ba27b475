/**
 * In-process PBFT clusters for chain tests: Chains wired by a direct in-memory "network" (an inbox
 * of deliveries), a clock that moves on every read, and nodes that are online or not.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {Chain, type ChainOptions} from '../../../../src/core/chain/chain.js'
import {parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {createPbftEngine} from '../../../../src/core/consensus/pbft/index.js'
import {addressOf, type KeyPair} from '../../../../src/core/crypto/index.js'
import {nullLogger} from '../../../../src/core/log.js'

/** A genesis account entry for a signer (anything with a public key). */
export function accountOf(name: string, role: string, signer: {readonly publicKey: Uint8Array}) {
  return {name, role, publicKey: toHex(signer.publicKey), address: addressOf(signer.publicKey)}
}

/** A PBFT genesis for in-process clusters: these validators, these accounts, small fast blocks. */
export function clusterGenesis(chainId: string, validators: readonly KeyPair[], accounts: ReadonlyArray<ReturnType<typeof accountOf>>): Genesis {
  return parseGenesis({
    version: 1,
    chainId,
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: validators.map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
    accounts,
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  })
}

export class LoopbackCluster {
  chains: Chain[] = []
  /** Nodes that tick and receive; the others are "down" or "not started yet". */
  online: Set<number>
  clock = 1_700_000_001_000
  /** Nodes that never receive forwarded client txs (they must fetch what proposals name). */
  notForwardedTo = new Set<number>()
  /** Tx fetch requests answered so far (to see that the fetch path ran). */
  fetches = 0
  readonly ids: string[]
  private readonly inbox: Array<() => Promise<void>> = []
  private readonly directory = mkdtempSync(join(tmpdir(), 'wichain-cluster-'))

  constructor(
    private readonly genesis: Genesis,
    private readonly nodeKeys: readonly KeyPair[],
    private readonly extraOptions: (index: number) => Partial<ChainOptions> = () => ({}),
  ) {
    this.ids = nodeKeys.map((key) => toHex(key.publicKey))
    this.online = new Set(nodeKeys.map((_, index) => index))
  }

  async openAll(): Promise<void> {
    this.chains = await Promise.all(this.nodeKeys.map((_, index) => this.open(index)))
  }

  open(index: number): Promise<Chain> {
    return Chain.open({
      directory: join(this.directory, `node${index}`),
      genesis: this.genesis,
      nodeKey: this.nodeKeys[index]!,
      logger: nullLogger,
      // Every read moves the clock, as a real one does: a driver must read it once per decision.
      clock: () => (this.clock += 1),
      createEngine: (context) => createPbftEngine(context),
      tickWhenIdle: false,
      compactProposals: true,
      fetchTxs: async (hashes) => {
        this.fetches++
        const answers: Uint8Array[] = []
        for (const [target, chain] of this.chains.entries()) if (target !== index && this.online.has(target)) answers.push(...(await chain.txsByHash(hashes)))
        return answers
      },
      send: (to, bytes) => this.deliver(index, to, bytes),
      onTxAdmitted: (tx) => {
        for (const [target, chain] of this.chains.entries()) {
          if (target !== index && this.online.has(target) && !this.notForwardedTo.has(target)) this.inbox.push(() => chain.submitTx(tx.bytes, {fromPeer: true}).then(() => undefined))
        }
      },
      ...this.extraOptions(index),
    })
  }

  private deliver(from: number, to: string, bytes: Uint8Array): void {
    for (const [target, chain] of this.chains.entries()) {
      if (target === from || !this.online.has(target) || (to !== 'broadcast' && to !== this.ids[target])) continue
      this.inbox.push(() => chain.step(this.ids[from]!, bytes))
    }
  }

  /** Rounds of 100 ms: every online chain ticks, then every delivery runs, until `until` holds. */
  async run(rounds: number, until: () => Promise<boolean> | boolean): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      if (await until()) return
      this.clock += 100
      for (const [index, chain] of this.chains.entries()) if (this.online.has(index)) await chain.tick()
      while (this.inbox.length > 0) await this.inbox.shift()!()
    }
    throw new Error(`not reached in ${rounds} rounds; heights ${this.chains.map((chain) => chain.head().height).join(',')}`)
  }

  /** Every online chain has committed the tx. */
  async committedEverywhere(txHash: string): Promise<boolean> {
    const online = this.chains.filter((_, index) => this.online.has(index))
    return (await Promise.all(online.map((chain) => chain.getTxLocation(txHash)))).every((found) => found !== undefined)
  }

  async close(): Promise<void> {
    for (const chain of this.chains) await chain.close()
    rmSync(this.directory, {recursive: true, force: true})
  }
}
