/**
 * VerifyPool: worker-thread SM2 verification. Results must equal sequential sm2.ts verify();
 * overload and closing answer with WichainErrors; close() ends every thread. The pool runs its
 * TypeScript worker here (under tsx), and once from JavaScript under plain node, as from dist/.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect} from 'chai'
import ts from 'typescript'
import {utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {nativeSm2Status, type SignedMessage} from '../../../../src/core/crypto/native.js'
import {publicKeyFromPrivate, sign, verify} from '../../../../src/core/crypto/sm2.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {VERIFY_POOL_BATCH_ITEMS_MAX, VerifyPool} from '../../../../src/core/crypto/verify-pool.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** 8 keys; valid, tampered, wrong-key and malformed items interleaved. */
function mixedBatch(count: number): SignedMessage[] {
  const keys = Array.from({length: 8}, (_, index) => {
    const privateKey = sm3(utf8(`wichain verify-pool test key ${index}`))
    return {privateKey, publicKey: publicKeyFromPrivate(privateKey)}
  })
  return Array.from({length: count}, (_, index) => {
    const key = keys[index % keys.length]!
    const message = utf8(`claim ${index}`)
    const signature = sign(key.privateKey, message, key.publicKey)
    switch (index % 5) {
      case 1: return {publicKey: key.publicKey, message, signature: Uint8Array.from(signature, (byte, at) => (at === 40 ? byte ^ 4 : byte))}
      case 2: return {publicKey: keys[(index + 3) % keys.length]!.publicKey, message, signature}
      case 3: return index % 2 === 0
        ? {publicKey: key.publicKey.subarray(1), message, signature}
        : {publicKey: key.publicKey, message: 'text' as unknown as Uint8Array, signature}
      default: return {publicKey: key.publicKey, message, signature}
    }
  })
}

function sequential(items: readonly SignedMessage[]): boolean[] {
  return items.map((item) => verify(item.publicKey, item.message, item.signature))
}

async function rejection(promise: Promise<unknown>): Promise<WichainError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    return error as WichainError
  }
  throw new Error('expected a rejection')
}

describe('core/crypto/verify-pool', () => {
  describe('with two threads', () => {
    let pool: VerifyPool
    before(() => {
      pool = new VerifyPool({threads: 2})
    })
    after(() => pool.close())

    it('gives the results of sequential verify() for a mixed batch, split over both threads', async () => {
      await pool.ready()
      expect(pool.stats().nativeThreads, nativeSm2Status.reason).to.equal(nativeSm2Status.available ? 2 : 0)
      const items = mixedBatch(80)
      const expected = sequential(items)
      expect(expected.filter(Boolean)).to.have.length(32)
      expect(await pool.verifyBatch(items)).to.deep.equal(expected)
      const stats = pool.stats()
      expect(stats.threads).to.equal(2)
      expect(stats.tasksCompleted.every((tasks) => tasks > 0), `tasks per thread: ${stats.tasksCompleted}`).to.equal(true)
      expect(stats.pendingItems).to.equal(0)
    })

    it('keeps concurrent batches apart, answers empty and all-malformed batches at once', async () => {
      const items = mixedBatch(40)
      const [first, second, empty, malformed] = await Promise.all([
        pool.verifyBatch(items.slice(0, 25)), pool.verifyBatch(items.slice(25)), pool.verifyBatch([]),
        pool.verifyBatch([null as unknown as SignedMessage, {publicKey: new Uint8Array(3), message: new Uint8Array(), signature: new Uint8Array(64)}]),
      ])
      expect([...first, ...second]).to.deep.equal(sequential(items))
      expect(empty).to.deep.equal([])
      expect(malformed).to.deep.equal([false, false])
    })

    it('copies the batch: changing the caller buffers after the call does not change results', async () => {
      const items = mixedBatch(10)
      const expected = sequential(items)
      const pending = pool.verifyBatch(items)
      for (const item of items) if (item.signature instanceof Uint8Array) item.signature.fill(0)
      expect(await pending).to.deep.equal(expected)
    })

    it('rejects bad batches with WichainErrors', async () => {
      expect((await rejection(pool.verifyBatch('x' as unknown as SignedMessage[]))).code).to.equal('INVALID_ARGUMENT')
      const tooMany = new Array<SignedMessage>(VERIFY_POOL_BATCH_ITEMS_MAX + 1)
      expect((await rejection(pool.verifyBatch(tooMany))).code).to.equal('PAYLOAD_TOO_LARGE')
      expect(() => new VerifyPool({threads: 0})).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
    })
  })

  it('rejects with MEMPOOL_FULL beyond the queue bounds, and accepts again once drained', async () => {
    const items = mixedBatch(20).filter((_, index) => index % 5 !== 3) // 16 well-formed items
    const pool = new VerifyPool({threads: 1, queuedItemsMax: 12, queuedBytesMax: 8 * 1024})
    try {
      const first = pool.verifyBatch(items.slice(0, 10))
      const full = await rejection(pool.verifyBatch(items.slice(10, 13)))
      expect(full.code).to.equal('MEMPOOL_FULL')
      expect(full.details).to.include({pendingItems: 10, items: 3})
      const large = {...items[0]!, message: new Uint8Array(8 * 1024)}
      expect((await rejection(pool.verifyBatch([large]))).code).to.equal('MEMPOOL_FULL')
      expect(await first).to.deep.equal(sequential(items.slice(0, 10)))
      expect(await pool.verifyBatch(items.slice(10))).to.deep.equal(sequential(items.slice(10)))
    } finally {
      await pool.close()
    }
  })

  it('close() finishes queued batches, ends every thread, then refuses work with UNAVAILABLE', async () => {
    const pool = new VerifyPool({threads: 2})
    const items = mixedBatch(30)
    const pending = pool.verifyBatch(items)
    const closed = pool.close()
    expect(pool.close()).to.equal(closed)
    expect(await pending).to.deep.equal(sequential(items))
    await closed
    expect(pool.stats().threads).to.equal(0)
    expect((await rejection(pool.verifyBatch(items))).code).to.equal('UNAVAILABLE')
  })

  it('uses pure-JS verification in its threads when the addon is disabled, with the same results', async () => {
    process.env['WICHAIN_NATIVE_SM2'] = 'off' // threads copy the environment when they start
    const pool = new VerifyPool({threads: 2})
    delete process.env['WICHAIN_NATIVE_SM2']
    try {
      await pool.ready()
      expect(pool.stats().nativeThreads).to.equal(0)
      const items = mixedBatch(30)
      expect(await pool.verifyBatch(items)).to.deep.equal(sequential(items))
    } finally {
      await pool.close()
    }
  })

  describe('compiled to JavaScript (as in dist/) under plain node', () => {
    let directory = ''
    after(() => {
      if (directory !== '') rmSync(directory, {recursive: true, force: true})
    })

    it('verifies through its .js worker, and the process exits by itself after close()', function () {
      this.timeout(30_000)
      directory = mkdtempSync(join(tmpdir(), 'wichain-verify-pool-'))
      const entries = ['src/core/crypto/verify-pool.ts', 'src/core/crypto/verify-worker.ts'].map((path) => join(ROOT, path))
      for (const file of transitiveImports(entries)) {
        const target = join(directory, 'dist', relative(join(ROOT, 'src'), file).replace(/\.ts$/, '.js'))
        mkdirSync(dirname(target), {recursive: true})
        writeFileSync(target, ts.transpileModule(readFileSync(file, 'utf8'), {compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022}}).outputText)
      }
      writeFileSync(join(directory, 'package.json'), '{"type":"module"}')
      symlinkSync(join(ROOT, 'node_modules'), join(directory, 'node_modules'))
      symlinkSync(join(ROOT, 'native'), join(directory, 'native')) // the addon, when built
      writeFileSync(join(directory, 'main.mjs'), CHILD_SCRIPT)
      const child = spawnSync(process.execPath, ['main.mjs'], {cwd: directory, encoding: 'utf8', timeout: 25_000, env: {...process.env, NODE_OPTIONS: ''}})
      expect(child.status, `${child.stderr}`).to.equal(0)
      const report = JSON.parse(child.stdout) as {agree: boolean; threadsAfterClose: number; valid: number}
      expect(report).to.deep.equal({agree: true, threadsAfterClose: 0, valid: 12})
    })
  })
})

/** Nothing keeps the child alive but the pool: if close() left a thread, it would not exit. */
const CHILD_SCRIPT = `
import {VerifyPool} from './dist/core/crypto/verify-pool.js'
import {generateKeyPair, sign, verify} from './dist/core/crypto/sm2.js'
const key = generateKeyPair()
const items = Array.from({length: 24}, (_, i) => {
  const message = new Uint8Array([i])
  return {publicKey: key.publicKey, message: i % 2 ? message : new Uint8Array([i, 1]), signature: sign(key.privateKey, message)}
})
const pool = new VerifyPool({threads: 2})
const results = await pool.verifyBatch(items)
await pool.close()
const expected = items.map((item) => verify(item.publicKey, item.message, item.signature))
process.stdout.write(JSON.stringify({agree: JSON.stringify(results) === JSON.stringify(expected), threadsAfterClose: pool.stats().threads, valid: results.filter(Boolean).length}))
`

/** The .ts files reachable by relative imports from `entries`. */
function transitiveImports(entries: readonly string[]): Set<string> {
  const found = new Set<string>()
  const pending = [...entries]
  while (pending.length > 0) {
    const file = pending.pop()!
    if (found.has(file)) continue
    found.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(join(dirname(file), `${match[1]}.ts`))
    }
  }
  return found
}
