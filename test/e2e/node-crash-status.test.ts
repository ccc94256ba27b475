/**
 * A node that dies without its clean shutdown is reported as crashed, not as "not running":
 * `node status` finds the stale pid file (exit 6, running false, crashed true, lastExit), and the
 * next `node start` cleans it and starts. A cleanly stopped node is "not running", exit 0.
 */
import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'
import {ok, Sandbox, waitFor, wichain} from './harness.js'

describe('e2e: node status after a crash', function () {
  this.timeout(90_000)
  const box = new Sandbox()
  const home = box.path('net', 'node0')
  after(() => box.cleanup())

  it('reports a killed node as crashed (exit 6); node start cleans the stale pid file', async () => {
    await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', 'wi-crashed', '--base-port', '0', '--template', 'dev'])
    await ok(['node', 'start', '--home', home, '--detach'])
    const pidFile = box.path('net', 'node0', 'node.pid')
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10)
    process.kill(pid, 'SIGKILL')
    await waitFor(async () => {
      try {
        process.kill(pid, 0)
        return false
      } catch {
        return true
      }
    }, 10_000, 'the node process to be gone')

    const crashed = await wichain(['node', 'status', '--home', home, '--json'])
    expect(crashed.code, crashed.stdout).to.equal(6)
    expect(crashed.json).to.include({running: false, crashed: true, pid, lastExit: null})
    expect(existsSync(pidFile)).to.equal(true)

    await ok(['node', 'start', '--home', home, '--detach'])
    const running = await wichain(['node', 'status', '--home', home, '--json'])
    expect(running.code).to.equal(0)
    expect(running.json.running).to.equal(true)
    expect(running.json.chains[0]).to.include({state: 'running', halted: null})
    expect(Number.parseInt(readFileSync(pidFile, 'utf8'), 10)).to.not.equal(pid)

    await ok(['node', 'stop', '--home', home])
    const stopped = await wichain(['node', 'status', '--home', home, '--json'])
    expect(stopped.code).to.equal(0)
    expect(stopped.json).to.include({running: false, crashed: false})
  })
})
