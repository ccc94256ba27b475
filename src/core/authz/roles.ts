/**
 * The four roles of spec §8.2: L1 `orgadmin` manages its organisation's members and resources;
 * L2 `auditor` reads, monitors, archives and downloads backups but never writes business data;
 * L3 `user` sends business txs; L4 `devops` deploys and upgrades contracts and operates nodes.
 */
import {WichainError} from '../errors.js'

export const ROLES = ['orgadmin', 'auditor', 'user', 'devops'] as const
export type Role = (typeof ROLES)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/**
 * Separation of duties: whoever administers an organisation cannot also be the one who audits
 * it. Pairs of roles one account may never hold together.
 */
export const EXCLUSIVE_ROLES: readonly (readonly [Role, Role])[] = [['orgadmin', 'auditor']]

/** Sorted, unique roles with no exclusive pair; INVALID_ARGUMENT otherwise. */
export function checkRoles(roles: readonly unknown[], what: string): readonly Role[] {
  if (roles.length === 0) throw new WichainError('INVALID_ARGUMENT', `${what}: at least one role (${ROLES.join(', ')})`)
  for (const role of roles) if (!isRole(role)) throw new WichainError('INVALID_ARGUMENT', `${what}: unknown role ${JSON.stringify(role)} (one of ${ROLES.join(', ')})`)
  const unique = [...new Set(roles as Role[])].sort()
  for (const [a, b] of EXCLUSIVE_ROLES) {
    if (unique.includes(a) && unique.includes(b)) throw new WichainError('INVALID_ARGUMENT', `${what}: one account cannot be both ${a} and ${b} (separation of duties)`)
  }
  return Object.freeze(unique)
}
