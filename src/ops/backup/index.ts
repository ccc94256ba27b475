/** Backup and restore of node homes (spec §8.4.6.4): the public surface of src/ops/backup. */
export {createBackup, type CreateBackupOptions, type CreateBackupResult} from './create.js'
export {verifyBackups, type VerifyOptions, type VerifyResult} from './verify.js'
export {restoreBackups, type RestoreOptions, type RestoreResult} from './restore.js'
export type {ProgressSink} from './check.js'
export {BACKUP_FORMAT, BACKUP_LIMITS, BACKUP_VERSION, type Manifest} from './format.js'
