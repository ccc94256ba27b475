/**
 * The systemd unit template must parse as a unit file (sections, Key=Value lines, continuation
 * lines), run `wichain node start --home …` in the foreground with flags the command really has,
 * and allow the graceful stop at least as long as `wichain node stop` waits.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import NodeStart from '../../../src/commands/node/start.js'
import NodeStop from '../../../src/commands/node/stop.js'
import {TEMPLATES_DIR} from '../../../src/ops/network.js'

type Unit = Record<string, Record<string, string[]>>

function parseUnit(text: string): Unit {
  const unit: Unit = {}
  let section: Record<string, string[]> | undefined
  const lines = text.replace(/\\\n/g, ' ').split('\n')
  lines.forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return
    const header = /^\[([A-Za-z]+)\]$/.exec(trimmed)
    if (header !== null) {
      section = unit[header[1]!] ??= {}
      return
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(trimmed)
    if (entry === null || section === undefined) throw new Error(`line ${index + 1} is not "Key=Value" inside a section: ${line}`)
    ;(section[entry[1]!] ??= []).push(entry[2]!)
  })
  return unit
}

/** "60s", "1min 30s", "90" (seconds) → seconds. */
function seconds(span: string): number {
  const units: Record<string, number> = {'': 1, s: 1, sec: 1, min: 60, m: 60}
  return span.split(/\s+/).reduce((total, part) => {
    const match = /^(\d+)([a-z]*)$/.exec(part)
    if (match === null || units[match[2]!] === undefined) throw new Error(`bad time span ${span}`)
    return total + Number(match[1]) * units[match[2]!]!
  }, 0)
}

describe('templates/systemd/wichain-node@.service', () => {
  const unit = parseUnit(readFileSync(join(TEMPLATES_DIR, 'systemd', 'wichain-node@.service'), 'utf8'))
  const service = unit.Service!
  const one = (key: string): string => {
    expect(service[key], key).to.have.length(1)
    return service[key]![0]!
  }

  it('has the Unit, Service and Install sections', () => {
    expect(Object.keys(unit)).to.deep.equal(['Unit', 'Service', 'Install'])
    expect(unit.Unit!.Description).to.have.length(1)
    expect(unit.Install!.WantedBy).to.deep.equal(['multi-user.target'])
  })

  it('runs `wichain node start --home` in the foreground, with flags the command has', () => {
    const argv = one('ExecStart').split(/\s+/)
    expect(argv[0]).to.match(/^\/.*\/wichain$/)
    expect(argv.slice(1, 3)).to.deep.equal(['node', 'start'])
    const flags = argv.slice(3).filter((word) => word.startsWith('--')).map((word) => word.slice(2))
    expect(flags).to.include('home')
    expect(flags, 'the service manager needs the process in the foreground').to.not.include('detach')
    for (const flag of flags) expect(Object.keys(NodeStart.flags), flag).to.include(flag)
    const home = argv[argv.indexOf('--home') + 1]
    expect(service.ReadWritePaths).to.deep.equal([home])
  })

  it('restarts on failure and stops with SIGTERM, waiting at least as long as `node stop` does', () => {
    expect(one('Type')).to.equal('simple')
    expect(one('Restart')).to.equal('on-failure')
    expect(one('KillSignal')).to.equal('SIGTERM')
    const stopWaitMs = NodeStop.flags['timeout-ms'].default as number
    expect(seconds(one('TimeoutStopSec')) * 1000).to.be.at.least(stopWaitMs)
    expect(Number(one('LimitNOFILE'))).to.be.at.least(4096)
  })

  it('is hardened: no new privileges, read-only system except the node home', () => {
    expect(one('NoNewPrivileges')).to.equal('yes')
    expect(one('ProtectSystem')).to.equal('strict')
    expect(one('User')).to.not.equal('root')
    expect(service.MemoryDenyWriteExecute, 'V8 needs W+X pages').to.equal(undefined)
  })
})
