/**
 * Import a large ESM dependency (binaryen ≈ 14 MB, asc) so that a TypeScript loader does not
 * rewrite it. Under tsx (our test runner's loader) every ES module whose source contains
 * `import(` is re-parsed and source-mapped, which takes 45–70 s for binaryen on these machines
 * against ~1 s plain. tsx leaves alone modules whose URL carries a foreign `tsx-namespace`
 * parameter, and the parameter is inherited by their own imports. Plain Node ignores it.
 */
const TSX_NAMESPACE_PARAMETER = 'tsx-namespace'
const UNTRANSFORMED_NAMESPACE = 'wichain-untransformed'

function runsUnderTsx(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((argument) => argument.includes('tsx'))
}

export async function importUntransformed<T>(specifier: string): Promise<T> {
  if (!runsUnderTsx()) return (await import(specifier)) as T
  const url = new URL(import.meta.resolve(specifier))
  url.searchParams.set(TSX_NAMESPACE_PARAMETER, UNTRANSFORMED_NAMESPACE)
  return (await import(url.href)) as T
}
