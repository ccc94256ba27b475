/**
 * A full disk, end to end through the binary: a one-node solo chain whose ledger directory is a
 * small tmpfs. Txs are sent until the disk fills; then the chain is halted with a storage reason
 * (node status, exit 6), refuses txs with CHAIN_HALTED (exit 6), /health answers 503, the halt
 * gauge is 1, and the log holds a bounded number of lines about it. Once space is freed the
 * chain resumes by itself, commits again, and every tx reported committed before is still there.
 *
 * Needs root for `mount -t tmpfs`; without it the test is skipped, saying why. The disk is filled
 * over the SDK (one process, many txs, fast); what is asserted goes through the binary.
 */
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {WichainError} from '../../src/core/errors.js'
import {createTx} from '../../src/core/types/tx.js'
import {networkClient, networkSigner, ok, Sandbox, signedHeaders, waitFor, wichain} from './harness.js'

const CHAIN_ID = 'wi-disk'
const TMPFS_SIZE = '16m'
/** Free bytes left beside the filler file: a few blocks of ~4 KiB evidence fill it. */
const SLACK_BYTES = 48 * 1024

describe('e2e: a full disk halts the chain, refuses txs, and resumes with nothing lost', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const home = box.path('net', 'node0')
  const dataDir = join(home, 'data', CHAIN_ID)
  const filler = join(dataDir, 'filler.bin')
  const userKey = box.path('net', 'admin', 'user.json')
  let mounted = false
  let rpc = ''

  after(async () => {
    if (mounted) {
      await wichain(['node', 'stop', '--home', home, '--force', '--timeout-ms', '10000', '--json'])
      try {
        execFileSync('umount', [dataDir])
      } catch {
        execFileSync('umount', ['-l', dataDir])
      }
    }
    box.cleanup()
  })

  let counter = 0
  const send = (meta: string) =>
    wichain(['tx', 'send', '--rpc', rpc, '--key', userKey, '--contract', 'evidence', '--method', 'put', '--timeout-ms', '20000', '--json', '--args', JSON.stringify({key: `DISK-${counter++}`, hash: 'ab'.repeat(32), meta})])
  const status = async () => {
    const result = await wichain(['node', 'status', '--home', home, '--json'])
    return {code: result.code, json: result.json, chain: result.json?.chains?.[0]}
  }
  const logLines = () => readFileSync(join(home, 'node.log'), 'utf8').split('\n').filter((line) => line.length > 0)

  it('halts on a full disk, loudly and once; resumes when space is freed, losing nothing', async function () {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', CHAIN_ID, '--base-port', '0', '--template', 'dev'])
    rpc = init.nodes[0].rpc
    mkdirSync(dataDir, {recursive: true})
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dataDir], {stdio: 'pipe'})
      mounted = true
    } catch (error) {
      // Only an unprivileged run may skip: as root (CI, these machines) a failing mount fails the test.
      if (process.getuid?.() === 0) throw error
      const reason = `${(error as {stderr?: Buffer}).stderr?.toString().trim() ?? ''} ${(error as Error).message}`
      console.log(`      skipped: cannot mount a tmpfs here (needs root): ${reason}`)
      this.skip()
    }
    await ok(['node', 'start', '--home', home, '--detach'])

    // Committed before the fault: these must survive it.
    const committed: Array<{txHash: string; height: number}> = []
    for (let i = 0; i < 3; i++) {
      const sent = await send('before')
      expect(sent.code, sent.stdout + sent.stderr).to.equal(0)
      committed.push({txHash: sent.json.txHash, height: sent.json.height})
    }

    // Fill the disk but for a little slack, then send ~4 KiB evidence until a commit cannot land:
    // the client waiting for that tx hears CHAIN_HALTED (not a timeout).
    const {bavail, bsize} = statfsSync(dataDir)
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - SLACK_BYTES)))
    const client = networkClient(rpc, box.path('net'))
    const signer: Signer = createSigner(readKeystoreFile(userKey))
    const big = 'x'.repeat(3_800)
    let refused: WichainError | undefined
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const tx = createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {key: `FILL-${i}`, hash: 'cd'.repeat(32), meta: big}, expiry: 900}, signer)
      try {
        const sent = await client.sendTx(tx, 20_000)
        expect(sent.status).to.equal('ok')
        committed.push({txHash: sent.txHash, height: sent.height!})
      } catch (error) {
        refused = error as WichainError
      }
    }
    expect(refused, 'the disk never filled').to.be.instanceOf(WichainError)
    expect(refused!.code, refused!.message).to.equal('CHAIN_HALTED')

    // Halted, with a storage reason; node status exits 6.
    const halted = await status()
    expect(halted.code).to.equal(6)
    expect(halted.json.running).to.equal(true)
    expect(halted.chain.state).to.equal('halted')
    expect(halted.chain.halted).to.include({code: 'STORAGE_ERROR', resumable: true, height: committed.at(-1)!.height})
    expect(halted.chain.halted.reason).to.match(/space|ENOSPC|IO error/i)
    // New txs are refused with CHAIN_HALTED (exit 6), reads keep working.
    const after = await send('while halted')
    expect(after.code).to.equal(6)
    expect(after.json.error.code).to.equal('CHAIN_HALTED')
    const health = await fetch(`${rpc}/health`)
    expect(health.status).to.equal(503)
    const healthBody = (await health.json()) as {ok: boolean; halted: Array<{chainId: string; code: string}>}
    expect(healthBody.ok).to.equal(false)
    expect(healthBody.halted[0]).to.include({chainId: CHAIN_ID, code: 'STORAGE_ERROR'})
    const metrics = await (await fetch(`${rpc}/metrics`, {headers: signedHeaders(networkSigner(box.path('net')), 'GET', `${rpc}/metrics`)})).text()
    expect(metrics).to.match(new RegExp(`wichain_chain_halted\\{chainId="${CHAIN_ID}"\\} 1`))
    expect(metrics).to.match(new RegExp(`wichain_chain_faults_total\\{chainId="${CHAIN_ID}",code="STORAGE_ERROR"\\} 1`))
    const read = await ok(['tx', 'get', committed[0]!.txHash, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', rpc])
    expect(read).to.include({status: 'ok', height: committed[0]!.height})

    // The log says it once; nothing repeats per tick.
    const linesAtHalt = logLines()
    expect(linesAtHalt.filter((line) => line.includes('"chain halted"'))).to.have.length(1)
    expect(linesAtHalt.filter((line) => line.includes('tick failed'))).to.have.length(0)
    expect(linesAtHalt.length).to.be.below(200)

    // Free the space: the chain probes, reopens its ledger and resumes by itself.
    rmSync(filler)
    await waitFor(async () => (await status()).chain?.state === 'running', 40_000, 'the chain to resume', async () => JSON.stringify((await status()).json))
    const resumed = await status()
    expect(resumed.code).to.equal(0)
    expect(resumed.chain.halted).to.equal(null)
    expect((await fetch(`${rpc}/health`)).status).to.equal(200)
    const lines = logLines()
    expect(lines.filter((line) => line.includes('"chain resumed"'))).to.have.length(1)
    expect(lines.filter((line) => line.includes('"chain halted"'))).to.have.length(1)

    const next = await send('after the disk was freed')
    expect(next.code, next.stdout + next.stderr).to.equal(0)
    expect(next.json.status).to.equal('ok')
    for (const {txHash, height} of committed) {
      const got = await client.getTx(txHash)
      expect(got).to.include({txHash, status: 'ok', height})
    }
    const last = committed.at(-1)!
    expect(await ok(['tx', 'get', last.txHash, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', rpc])).to.include({txHash: last.txHash, status: 'ok', height: last.height})
    expect(next.json.height).to.be.greaterThan(committed.at(-1)!.height)
  })
})
