/**
 * Parses Prometheus text exposition (format 0.0.4) into samples, for scripts that want the
 * node's metrics as JSON (`wichain node metrics --json`) rather than run a Prometheus server.
 */
import {WichainError} from '../core/errors.js'

export interface MetricSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  /** null for NaN and ±Inf, which JSON cannot carry. */
  readonly value: number | null
}

export interface ParsedMetrics {
  /** Metric family name → its `# TYPE` (counter, gauge, histogram, summary, untyped). */
  readonly types: Readonly<Record<string, string>>
  readonly samples: readonly MetricSample[]
}

const SAMPLES_MAX = 100_000
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/

function fail(lineNumber: number, why: string): never {
  throw new WichainError('DECODE_ERROR', `metrics text line ${lineNumber}: ${why}`)
}

/** Labels from `{a="x",b="y\"z"}` starting at `text[0] === '{'`; returns them and the rest. */
function readLabels(text: string, lineNumber: number): {labels: Record<string, string>; rest: string} {
  const labels: Record<string, string> = {}
  let at = 1
  for (;;) {
    while (text[at] === ' ' || text[at] === ',') at += 1
    if (text[at] === '}') return {labels, rest: text.slice(at + 1)}
    const name = LABEL_NAME.exec(text.slice(at))?.[0] ?? fail(lineNumber, 'bad label name')
    at += name.length
    if (text[at] !== '=' || text[at + 1] !== '"') fail(lineNumber, `label ${name} has no quoted value`)
    at += 2
    let value = ''
    for (; at < text.length && text[at] !== '"'; at += 1) {
      if (text[at] !== '\\') value += text[at]
      else {
        at += 1
        value += text[at] === 'n' ? '\n' : text[at] ?? ''
      }
    }
    if (at >= text.length) fail(lineNumber, `label ${name} value is not closed`)
    labels[name] = value
    at += 1
  }
}

function readValue(text: string, lineNumber: number): number | null {
  const field = text.trim().split(/\s+/)[0] ?? ''
  // The text format's special values; prom-client writes NaN as "Nan" (e.g. event-loop lag
  // percentiles before the first sample), and Prometheus reads them case-insensitively.
  if (/^(nan|[+-]?inf)$/i.test(field)) return null
  const value = Number(field)
  if (field === '' || !Number.isFinite(value)) fail(lineNumber, `bad sample value "${field}"`)
  return value
}

export function parseMetricsText(text: string): ParsedMetrics {
  const types: Record<string, string> = {}
  const samples: MetricSample[] = []
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim()
    const lineNumber = index + 1
    if (line === '') return
    if (line.startsWith('#')) {
      const [, keyword, name, type] = line.split(/\s+/)
      if (keyword === 'TYPE' && name !== undefined && type !== undefined) types[name] = type
      return
    }
    if (samples.length >= SAMPLES_MAX) fail(lineNumber, `more than ${SAMPLES_MAX} samples`)
    const name = NAME.exec(line)?.[0] ?? fail(lineNumber, 'bad metric name')
    let rest = line.slice(name.length)
    let labels: Record<string, string> = {}
    if (rest.startsWith('{')) ({labels, rest} = readLabels(rest, lineNumber))
    samples.push({name, labels, value: readValue(rest, lineNumber)})
  })
  return {types, samples}
}
