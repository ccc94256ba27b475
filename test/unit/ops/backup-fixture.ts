/**
 * A real one-node (solo) home for the backup tests, laid out by `initNetwork`, whose chain grows
 * in-process: each `commit(n)` (or `commitCalls`) opens the home's chain, commits one block per tx
 * under an injected clock, and closes it again (so the ledger is free for a backup).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as tar from 'tar'
import {toHex} from '../../../src/core/bytes.js'
import {Chain} from '../../../src/core/chain/chain.js'
import type {Role} from '../../../src/core/chain/genesis.js'
import {createSigner, readKeystoreFile, type Signer} from '../../../src/core/crypto/index.js'
import {WichainError} from '../../../src/core/errors.js'
import {nullLogger} from '../../../src/core/log.js'
import {chainDataPath, homePath, readGenesisFile} from '../../../src/core/node/home.js'
import {engineFactory} from '../../../src/core/node/node.js'
import {createTx} from '../../../src/core/types/tx.js'
import type {Manifest} from '../../../src/ops/backup/index.js'
import {signManifest} from '../../../src/ops/backup/signature.js'
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

  /** The signer of an admin keystore (backups are signed by the auditor unless a test says otherwise). */
  signer(role: Role = 'auditor'): Signer {
    return createSigner(readKeystoreFile(this.admin[role].file))
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

export interface TamperOptions {
  /** Sign the edited manifest again with this key (as its signer), as an attacker holding one would. */
  readonly resign?: Signer
  /** Edit the manifest document itself (after the digests are fixed, before any re-signing). */
  readonly manifest?: (manifest: Record<string, unknown>) => Record<string, unknown>
}

/**
 * Unpack `file`, let `change` edit members (name → bytes), fix the manifest digests (as anyone can),
 * optionally edit or re-sign the manifest, and repack as `out`.
 */
export async function tamper(file: string, out: string, change: (members: Map<string, Buffer>) => void, options: TamperOptions = {}): Promise<string> {
  const dir = `${out}.d`
  mkdirSync(dir, {recursive: true})
  await tar.x({file, cwd: dir})
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  const members = new Map(manifest.members.map((member) => [member.name, readFileSync(join(dir, member.name))]))
  change(members)
  let fixed: Manifest = {...manifest, members: manifest.members.map((member) => {
    const bytes = members.get(member.name)!
    writeFileSync(join(dir, member.name), bytes)
    return {...member, bytes: bytes.length, sm3: createHash('sm3').update(bytes).digest('hex')}
  })}
  if (options.manifest !== undefined) fixed = options.manifest(fixed as unknown as Record<string, unknown>) as unknown as Manifest
  if (options.resign !== undefined) fixed = signManifest({...fixed, signer: toHex(options.resign.publicKey), signature: ''}, options.resign)
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(fixed, null, 2))
  await tar.c({gzip: true, portable: true, cwd: dir, file: out}, ['manifest.json', ...manifest.members.map((member) => member.name)])
  return out
}
