import {expect} from 'chai'
import {Counter, Gauge, Histogram, Registry} from 'prom-client'
import {parseMetricsText} from '../../../src/sdk/metrics-text.js'

describe('sdk/metrics-text', () => {
  it('parses what prom-client writes: types, labels with escapes, histogram buckets', async () => {
    const registry = new Registry()
    new Gauge({name: 'g', help: 'a gauge', labelNames: ['who'], registers: [registry]}).set({who: 'a "quoted" \\ name\nline'}, 2.5)
    new Counter({name: 'c_total', help: 'a counter', registers: [registry]}).inc(7)
    new Histogram({name: 'h_seconds', help: 'a histogram', buckets: [0.1, 1], registers: [registry]}).observe(0.5)
    const parsed = parseMetricsText(await registry.metrics())
    expect(parsed.types).to.deep.equal({g: 'gauge', c_total: 'counter', h_seconds: 'histogram'})
    expect(parsed.samples).to.deep.include({name: 'g', labels: {who: 'a "quoted" \\ name\nline'}, value: 2.5})
    expect(parsed.samples).to.deep.include({name: 'c_total', labels: {}, value: 7})
    expect(parsed.samples).to.deep.include({name: 'h_seconds_bucket', labels: {le: '0.1'}, value: 0})
    expect(parsed.samples).to.deep.include({name: 'h_seconds_bucket', labels: {le: '+Inf'}, value: 1})
    expect(parsed.samples).to.deep.include({name: 'h_seconds_count', labels: {}, value: 1})
  })

  it('maps NaN and infinities to null and refuses malformed lines with DECODE_ERROR', () => {
    expect(parseMetricsText('x NaN\ny{a="b"} +Inf 1700000000\n').samples).to.deep.equal([{name: 'x', labels: {}, value: null}, {name: 'y', labels: {a: 'b'}, value: null}])
    // prom-client's own spelling (an event-loop lag percentile before its first sample)
    expect(parseMetricsText('z Nan\nw -inf\n').samples.map((sample) => sample.value)).to.deep.equal([null, null])
    for (const bad of ['x', 'x{a="b} 1', 'x{1a="b"} 1', 'x abc', '9x 1']) {
      expect(() => parseMetricsText(bad), bad).to.throw().with.property('code', 'DECODE_ERROR')
    }
  })
})
