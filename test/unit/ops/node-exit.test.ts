/**
 * The node process never dies silently: the process guard records why it exits (node.exit), a
 * failing log write does not kill it, and a pid file whose process is gone — or is another
 * program now — is stale, so `node status` can report a crash and `node start` cleans it.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {nullLogger, type Logger} from '../../../src/core/log.js'
import {createProcessGuard, readExitRecord} from '../../../src/ops/node-exit.js'
import {clearStalePid, nodeProcessState, runningPid} from '../../../src/ops/process.js'

describe('ops/node-exit and stale pid files', () => {
  let home: string
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'wichain-exit-'))
  })
  afterEach(() => rmSync(home, {recursive: true, force: true}))

  function guard() {
    const exits: number[] = []
    const stderr: string[] = []
    const errors: string[] = []
    const logger: Logger = {...nullLogger, error: (message, context) => void errors.push(`${message} ${JSON.stringify(context)}`), child: () => logger}
    const processGuard = createProcessGuard({home, logger: () => logger, exit: (code) => void exits.push(code), stderr: (text) => void stderr.push(text)})
    return {processGuard, exits, stderr, errors}
  }

  it('records an uncaught exception (log, stderr, node.exit) and exits 1', () => {
    const {processGuard, exits, stderr, errors} = guard()
    processGuard.uncaughtException(new TypeError('boom in the node'))
    expect(exits).to.deep.equal([1])
    expect(errors.join('\n')).to.match(/node process failed.*TypeError: boom in the node/)
    expect(stderr.join('')).to.match(/uncaught exception.*boom in the node/)
    expect(readExitRecord(home)).to.include({reason: 'TypeError: boom in the node', kind: 'uncaughtException', pid: process.pid})
  })

  it('survives a failed log write (ENOSPC): noted once, no exit, no exit record', () => {
    const {processGuard, exits, stderr} = guard()
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC', syscall: 'write', errno: -28})
    for (let i = 0; i < 100; i++) processGuard.uncaughtException(enospc)
    expect(exits).to.deep.equal([])
    expect(stderr).to.have.length(1)
    expect(readExitRecord(home)).to.equal(undefined)
  })

  it('reports an unhandled rejection and goes on', () => {
    const {processGuard, exits, errors} = guard()
    processGuard.unhandledRejection(new Error('nobody listened'))
    expect(exits).to.deep.equal([])
    expect(errors.join('\n')).to.match(/unhandled rejection.*nobody listened/)
  })

  it('a pid file of a process that is gone, or of another program, is stale; clearStalePid removes it', async () => {
    const pidFile = join(home, 'node.pid')
    const exited = spawn(process.execPath, ['-e', '0'])
    await new Promise((resolve) => exited.once('exit', resolve))
    writeFileSync(pidFile, `${exited.pid}\n`)
    expect(runningPid(home)).to.equal(undefined)
    expect(nodeProcessState(home)).to.include({pid: exited.pid, alive: false, stalePid: true})

    // A live process that is not a node (the pid was reused): stale too.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
    try {
      writeFileSync(pidFile, `${other.pid}\n`)
      expect(runningPid(home)).to.equal(undefined)
      expect(nodeProcessState(home)).to.include({alive: false, stalePid: true})
      expect(clearStalePid(home)).to.equal(other.pid)
      expect(existsSync(pidFile)).to.equal(false)
    } finally {
      other.kill('SIGKILL')
    }

    // This process (a node run in-process, as tests do) is live.
    writeFileSync(pidFile, `${process.pid}\n`)
    expect(runningPid(home)).to.equal(process.pid)
    expect(clearStalePid(home)).to.equal(undefined)
    expect(existsSync(pidFile)).to.equal(true)
  })
})
