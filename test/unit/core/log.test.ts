import {expect} from 'chai'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createJsonLogger} from '../../../src/core/log.js'
import {LogFile} from '../../../src/core/log-file.js'
import {DEFAULT_REPEAT_LIMITS} from '../../../src/core/log-repeat.js'

const parse = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>)

describe('core/log: JSON logger', () => {
  describe('repeat limit', () => {
    it('10,000 identical warnings write a few lines and one "repeated" line with the exact count', () => {
      const lines: string[] = []
      let now = 1_000
      const logger = createJsonLogger((line) => lines.push(line), {now: () => now, repeat: {perInterval: 3, intervalMs: 10_000, keysMax: 100}})
      for (let index = 0; index < 10_000; index++) logger.child({remoteAddress: `10.0.0.${index % 250}`}).warn('refusing connection: too many connections', {index})
      expect(lines).to.have.length(3)
      now += 10_000
      logger.warn('refusing connection: too many connections')
      const records = parse(lines)
      expect(records).to.have.length(5)
      expect(records[3]).to.include({level: 'warn', msg: 'refusing connection: too many connections … repeated 9997 times', repeated: 9997})
      // The event that opened the new interval is written again.
      expect(records[4]).to.include({msg: 'refusing connection: too many connections'})
      expect(logger.stats).to.include({linesSuppressed: 9997, linesDropped: 0, linesWritten: 5})
    })

    it('keys by level and message: other messages still pass, and flush() writes summaries', () => {
      const lines: string[] = []
      const logger = createJsonLogger((line) => lines.push(line), {now: () => 0, repeat: {perInterval: 2, intervalMs: 1_000, keysMax: 100}})
      for (let index = 0; index < 50; index++) logger.warn('junk')
      for (let index = 0; index < 50; index++) logger.error('junk')
      logger.info('something else')
      expect(parse(lines).map((record) => `${record.level} ${record.msg}`)).to.deep.equal(['warn junk', 'warn junk', 'error junk', 'error junk', 'info something else'])
      logger.flush()
      const summaries = parse(lines).slice(5)
      expect(summaries.map((record) => [record.level, record.repeated])).to.deep.equal([['warn', 48], ['error', 48]])
      logger.flush()
      expect(lines).to.have.length(7)
    })

    it('distinct messages beyond keysMax share one overflow counter', () => {
      const lines: string[] = []
      const logger = createJsonLogger((line) => lines.push(line), {now: () => 0, repeat: {perInterval: 1, intervalMs: 1_000, keysMax: 10}})
      for (let index = 0; index < 1_000; index++) logger.warn(`unique ${index}`)
      logger.flush()
      const records = parse(lines)
      expect(records).to.have.length(11)
      expect(records[10]).to.include({msg: 'other log messages … repeated 990 times', repeated: 990})
    })

    it('a burst followed by silence still gets its summary when the interval ends', async () => {
      const lines: string[] = []
      const logger = createJsonLogger((line) => lines.push(line), {repeat: {perInterval: 1, intervalMs: 30, keysMax: 10}})
      for (let index = 0; index < 20; index++) logger.warn('burst')
      const deadline = Date.now() + 5_000
      while (lines.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
      expect(parse(lines)[1]).to.include({msg: 'burst … repeated 19 times', repeated: 19})
    })

    it('the node default keeps a handful of lines per message per interval', () => {
      expect(DEFAULT_REPEAT_LIMITS.perInterval).to.be.within(1, 20)
      expect(DEFAULT_REPEAT_LIMITS.intervalMs).to.be.within(1_000, 60_000)
    })
  })

  describe('failing sinks never throw', () => {
    it('a sink failing with ENOSPC costs the lines, counted, and the logger goes on', () => {
      let failing = true
      const lines: string[] = []
      const logger = createJsonLogger((line) => {
        if (failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
        lines.push(line)
      })
      for (let index = 0; index < 100; index++) expect(() => logger.error(`disk full ${index}`)).not.to.throw()
      expect(logger.stats.linesDropped).to.equal(100)
      failing = false
      logger.info('space again')
      expect(parse(lines)).to.have.length(1)
      expect(logger.stats).to.include({linesDropped: 100, linesWritten: 1})
    })

    it('the log file on a full device (/dev/full) drops lines without throwing', function () {
      if (!existsSync('/dev/full')) this.skip()
      const file = new LogFile('/dev/full', {bytesMax: 1024, filesKept: 2})
      const logger = createJsonLogger((line) => file.write(line))
      for (let index = 0; index < 50; index++) expect(() => logger.warn(`line ${index}`)).not.to.throw()
      file.close()
      expect(logger.stats.linesDropped).to.equal(50)
    })

    it('a context that cannot be serialised drops that line only', () => {
      const lines: string[] = []
      const logger = createJsonLogger((line) => lines.push(line))
      expect(() => logger.info('big number', {value: 10n})).not.to.throw()
      logger.info('fine')
      expect(logger.stats).to.include({linesDropped: 1, linesWritten: 1})
    })

    it('a line longer than the line bound is cut, still valid JSON', () => {
      const lines: string[] = []
      const logger = createJsonLogger((line) => lines.push(line))
      logger.warn('huge', {blob: 'x'.repeat(1_000_000)})
      expect(lines[0]!.length).to.be.below(20_000)
      expect(JSON.parse(lines[0]!)).to.include({msg: 'huge', level: 'warn'})
    })
  })

  describe('log file rotation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wichain-log-'))
    after(() => rmSync(dir, {recursive: true, force: true}))

    it('rotates node.log at its bound and keeps only the configured number of old files', () => {
      const path = join(dir, 'node.log')
      const file = new LogFile(path, {bytesMax: 1_000, filesKept: 2})
      const logger = createJsonLogger((line) => file.write(line), {now: () => 0})
      for (let index = 0; index < 200; index++) logger.info(`line ${String(index).padStart(4, '0')}`)
      file.close()
      expect(file.rotations).to.be.greaterThan(10)
      expect(existsSync(`${path}.1`)).to.equal(true)
      expect(existsSync(`${path}.2`)).to.equal(true)
      expect(existsSync(`${path}.3`)).to.equal(false)
      for (const name of [path, `${path}.1`, `${path}.2`]) expect(statSync(name).size).to.be.at.most(1_000)
      const newest = readFileSync(path, 'utf8').trim().split('\n')
      expect(JSON.parse(newest.at(-1)!)).to.include({msg: 'line 0199'})
      const previous = readFileSync(`${path}.1`, 'utf8').trim().split('\n')
      const lastOfPrevious = Number(String(JSON.parse(previous.at(-1)!).msg).slice(5))
      const firstOfNewest = Number(String(JSON.parse(newest[0]!).msg).slice(5))
      expect(firstOfNewest).to.equal(lastOfPrevious + 1)
      expect(logger.stats.linesDropped).to.equal(0)
    })

    it('appends to an existing file and counts its size toward the bound', () => {
      const path = join(dir, 'existing.log')
      const first = new LogFile(path, {bytesMax: 500, filesKept: 1})
      first.write('x'.repeat(400) + '\n')
      first.close()
      const second = new LogFile(path, {bytesMax: 500, filesKept: 1})
      second.write('y'.repeat(200) + '\n')
      second.close()
      expect(readFileSync(`${path}.1`, 'utf8')).to.equal('x'.repeat(400) + '\n')
      expect(readFileSync(path, 'utf8')).to.equal('y'.repeat(200) + '\n')
    })
  })
})
