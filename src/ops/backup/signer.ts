/**
 * Who may sign a backup: the one place that answers it, so restore and verify ask the same
 * question `backup create` is allowed by — the policy of resource `backup.create`.
 */
import {decide} from '../../core/authz/authorize.js'
import {ConsortiumView} from '../../core/chain/consortium/view.js'
import type {Genesis} from '../../core/chain/genesis.js'

/**
 * Whether the account `address` may create backups of the chain that starts from `genesis`: the
 * `backup.create` policy (by default ANY of orgadmin, auditor, devops) over the genesis
 * consortium. Accounts created and policies set at run time live in the chain's state, which a
 * backup is checked before it is replayed, so they are not seen here: a backup is signed by a
 * genesis account.
 */
export function backupSignerAllowed(genesis: Genesis, address: string): boolean {
  const consortium = new ConsortiumView(genesis, () => undefined)
  return decide(consortium, 'backup.create', [address]).verdict.satisfied
}
