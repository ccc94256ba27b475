/** Human-readable rendering for the CLI: aligned key/value lines and tables (cli-table3). */
import Table from 'cli-table3'

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** Objects as "key: value" lines (nested one level deep, indented); arrays of objects as tables. */
export function renderValue(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
      return renderTable(value as Record<string, unknown>[])
    }
    return value.map((entry) => `${indent}- ${scalar(entry)}`).join('\n')
  }
  if (typeof value !== 'object' || value === null) return `${indent}${scalar(value)}`
  const entries = Object.entries(value as Record<string, unknown>)
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries
    .map(([key, entry]) => {
      if (entry !== null && typeof entry === 'object' && indent === '') {
        const nested = Array.isArray(entry) && entry.length > 0 && typeof entry[0] === 'object' ? renderTable(entry as Record<string, unknown>[]) : renderValue(entry, '  ')
        return `${key}:\n${nested}`
      }
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
