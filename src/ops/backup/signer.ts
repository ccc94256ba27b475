/**
 * Who may sign a backup: the one place that answers it, so restore and verify ask the same
 * question `backup create` is meant to be allowed by.
 */
import type {Genesis} from '../../core/chain/genesis.js'

/** The genesis roles that hold `backup.create` by default: L1 org admin, L2 auditor, L4 devops. */
const BACKUP_ROLES: readonly string[] = ['orgadmin', 'auditor', 'devops']

/**
 * Whether the account `address` may create backups of the chain that starts from `genesis`.
 *
 * For now: a genesis account holding the orgadmin, auditor or devops role. This is a stand-in
 * for the on-chain policy of resource `backup.create` (issue 10): the body will be replaced by the
 * policy lookup, keeping this one function and its signature, so callers do not change.
 */
export function backupSignerAllowed(genesis: Genesis, address: string): boolean {
  const account = genesis.accounts.find((entry) => entry.address === address)
  if (account === undefined) return false
  // A version 1 genesis account has one `role`; a version 2 one a list of `roles`.
  const fields = account as unknown as {role?: string; roles?: readonly string[]}
  const roles = fields.roles ?? (fields.role === undefined ? [] : [fields.role])
  return roles.some((role) => BACKUP_ROLES.includes(role))
}
