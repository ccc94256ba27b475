/**
 * Human-readable rendering for the CLI: aligned key/value lines and tables (cli-table3). Nested
 * values never appear as raw JSON: an object one level down becomes indented lines, anything
 * deeper (and any object or array inside a table cell) a one-line summary of at most
 * CLI_SUMMARY_CHARS_MAX characters: `k=v, k2=v2` for an object, the items for a short list of
 * scalars, `N items` otherwise.
 */
import Table from 'cli-table3'
import {CLI_SUMMARY_CHARS_MAX} from '../core/limits.js'

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function bound(text: string): string {
  return text.length <= CLI_SUMMARY_CHARS_MAX ? text : `${text.slice(0, CLI_SUMMARY_CHARS_MAX - 1)}…`
}

const items = (count: number): string => `${count} ${count === 1 ? 'item' : 'items'}`

/** An array or object one level deeper than a summary shows: its size only. */
function shallow(value: unknown): string {
  if (Array.isArray(value)) return items(value.length)
  if (isRecord(value)) return `{${Object.keys(value).length} keys}`
  return scalar(value)
}

/** One line for any value: scalars whole, objects and arrays summarised (bounded). */
export function scalar(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (Array.isArray(value)) {
    if (value.length === 0) return '-'
    if (value.every((entry) => entry === null || typeof entry !== 'object')) {
      const joined = value.map(scalar).join(', ')
      if (joined.length <= CLI_SUMMARY_CHARS_MAX) return joined
    }
    return items(value.length)
  }
  if (isRecord(value)) {
    const entries = Object.entries(value)
    if (entries.length === 0) return '-'
    return bound(entries.map(([key, entry]) => `${key}=${shallow(entry)}`).join(', '))
  }
  return String(value)
}

/** Objects as "key: value" lines (nested one level deep, indented); arrays of objects as tables. */
export function renderValue(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) return renderTable(value as Record<string, unknown>[])
    return value.map((entry) => `${indent}- ${scalar(entry)}`).join('\n')
  }
  if (!isRecord(value)) return `${indent}${scalar(value)}`
  const entries = Object.entries(value)
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries
    .map(([key, entry]) => {
      const nests = indent === '' && ((Array.isArray(entry) && entry.length > 0) || (isRecord(entry) && Object.keys(entry).length > 0))
      if (nests) return `${key}:\n${renderValue(entry, '  ')}`
      return `${indent}${key.padEnd(width)}  ${scalar(entry)}`
    })
    .join('\n')
}

export function renderTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const head: string[] = columns ? [...columns] : [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const table = new Table({head, style: {head: process.stdout.isTTY ? ['cyan'] : [], border: process.stdout.isTTY ? ['grey'] : []}})
  for (const row of rows) table.push(head.map((column) => scalar(row[column])))
  return table.toString()
}
