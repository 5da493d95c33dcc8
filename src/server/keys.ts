/**
 * API keys (F9.2): each scoped to one workspace, shown once at creation, stored as the SHA-256
 * of the secret, revocable. A secret is `rlk_<id>_<32 random bytes, base64url>`: the id makes a
 * key nameable in lists and logs without its secret; the hash lookup needs no constant-time
 * compare, since what is compared is a digest of 256 random bits.
 */
import { createHash, randomBytes } from 'node:crypto';
import { RequestError } from '../errors.js';
import { DEFAULT_WORKSPACE } from '../flow/flow-key.js';
import type { ApiKeyRecords, ApiKeyRow } from '../store/store.js';

export { DEFAULT_WORKSPACE };

const WORKSPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface ApiKeyInfo {
  readonly id: string;
  readonly workspace: string;
  readonly name: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

export interface ApiKeys {
  create(workspace: string, name: string): Promise<ApiKeyInfo & { secret: string }>;
  list(workspace?: string): Promise<ApiKeyInfo[]>;
  revoke(workspace: string, id: string): Promise<void>;
  /** The live key a secret belongs to, or undefined (unknown, malformed or revoked). */
  authenticate(secret: string): Promise<ApiKeyInfo | undefined>;
  /** Whether any live key exists (a server bound beyond loopback refuses to start without one). */
  any(): Promise<boolean>;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const infoOf = ({ hash: _hash, ...info }: ApiKeyRow): ApiKeyInfo => info;

export function checkWorkspace(workspace: string): string {
  if (!WORKSPACE.test(workspace)) {
    throw new RequestError(
      'BAD_REQUEST',
      `workspace '${workspace}' must be 1-63 of a-z, 0-9, _ and -, starting with a letter or digit`,
    );
  }
  return workspace;
}

export function createApiKeys(records: ApiKeyRecords, now: () => number = Date.now): ApiKeys {
  return {
    async create(workspace, name) {
      checkWorkspace(workspace);
      const id = `key_${randomBytes(6).toString('hex')}`;
      const secret = `rlk_${id.slice(4)}_${randomBytes(32).toString('base64url')}`;
      const row: ApiKeyRow = { id, workspace, name, hash: hashOf(secret), createdAt: now() };
      await records.insert(row);
      return { ...infoOf(row), secret };
    },
    async list(workspace) {
      return (await records.list(workspace)).map(infoOf);
    },
    async revoke(workspace, id) {
      if (!(await records.revoke(workspace, id, now()))) {
        throw new RequestError('NOT_FOUND', `key '${id}' not found in workspace '${workspace}' (or revoked already)`);
      }
    },
    async authenticate(secret) {
      if (!/^rlk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
      const row = await records.byHash(hashOf(secret));
      return row && row.revokedAt === undefined ? infoOf(row) : undefined;
    },
    async any() {
      return (await records.list()).some((key) => key.revokedAt === undefined);
    },
  };
}
