/**
 * Nesting depth of JSON, measured without recursion: for JSON that did not come through the
 * strict parser (strict-json.ts) — a query's args, a contract's result or event data — before
 * anything recursive (JSON.stringify) walks it.
 */

/**
 * True when a parsed JSON value nests no deeper than `depthMax` containers; walks the value
 * with an explicit stack (for values that did not come through the strict parser).
 */
export function jsonDepthWithin(value: unknown, depthMax: number): boolean {
  const pending: Array<{value: unknown; depth: number}> = [{value, depth: 0}]
  while (pending.length > 0) {
    const {value: item, depth} = pending.pop()!
    if (typeof item !== 'object' || item === null) continue
    if (depth + 1 > depthMax) return false
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) pending.push({value: child, depth: depth + 1})
    }
  }
  return true
}

/**
 * Nesting depth of JSON text (brackets outside strings): a linear scan for text a caller will
 * parse anyway; for text that is not JSON the answer means nothing.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === 0x5c) index++
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) max = depth
    } else if (code === 0x7d || code === 0x5d) {
      depth--
    }
  }
  return max
}
