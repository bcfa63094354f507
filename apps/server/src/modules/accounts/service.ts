import { hash, verify } from '@node-rs/argon2';
import { type Selectable, sql, type Updateable } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { fail } from '../../lib/errors.js';
import { idString, toIso } from '../../lib/ids.js';
import { randomToken, sha256Hex } from '../../lib/tokens.js';
import { limits } from '../../limits.js';
import type { InboxService } from '../inbox/index.js';
import type { MediaService } from '../media/index.js';

export type AccountRow = Selectable<Database['accounts']>;

// @node-rs/argon2's Algorithm is a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2;
const HANDLE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{5,19}$/;
const SESSION_CACHE_TTL_MS = 30_000;
const LAST_SEEN_EVERY_MS = 60_000;
const LAST_SEEN_FLUSH_MS = 1_000;
export const SESSIONS_REVOKED_TOPIC = 'sessions.revoked';

export interface AuthenticatedSession {
  accountId: number;
  sessionId: number;
  tokenHash: string;
  /** Operators run the instance (reviews, programs); see `operators` in the config. */
  isOperator: boolean;
}

/** The public face of a member, as every other member sees it. */
export function presentAccount(row: Pick<AccountRow, 'id' | 'handle' | 'display_name' | 'avatar_media_id' | 'region'>) {
  return {
    id: idString(row.id),
    handle: row.handle,
    displayName: row.display_name,
    avatarUrl: row.avatar_media_id ? `/api/v1/media/${row.avatar_media_id}` : null,
    region: row.region,
  };
}

export type PublicAccount = ReturnType<typeof presentAccount>;

/** What the member sees of themselves: their public face plus private settings. */
export function presentOwnAccount(row: AccountRow) {
  return {
    ...presentAccount(row),
    phone: row.phone,
    phoneDiscoverable: row.phone_discoverable === 1,
    handleDiscoverable: row.handle_discoverable === 1,
    isOperator: row.is_operator === 1,
    createdAt: toIso(row.created_at),
  };
}

export function createAccountsService(ctx: AppContext, deps: { inbox: InboxService; media: MediaService }) {
  const { db } = ctx;
  const hashOptions = ctx.config.fastPasswordHashing
    ? { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 1, parallelism: 1 }
    : { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  // Verifying against this when the handle is unknown keeps both answers equally slow.
  const decoyHash = hash(randomBytes(16).toString('hex'), hashOptions);

  const sessionCache = new Map<string, AuthenticatedSession & { cachedAt: number; lastSeenWriteAt: number }>();
  const loginFailures = new Map<string, { count: number; windowStart: number }>();
  const revokedListeners = new Set<(sessionIds: number[]) => void>();

  ctx.bus.subscribe(SESSIONS_REVOKED_TOPIC, (payload) => {
    const { tokenHashes, sessionIds } = JSON.parse(payload) as { tokenHashes: string[]; sessionIds: number[] };
    for (const tokenHash of tokenHashes) sessionCache.delete(tokenHash);
    for (const listener of revokedListeners) listener(sessionIds);
  });

  function validateHandle(handle: string): void {
    if (!HANDLE_PATTERN.test(handle)) fail('ACCOUNTS_INVALID_HANDLE');
  }

  function validatePassword(password: string): void {
    if (password.length < limits.passwordMinChars || password.length > limits.passwordMaxChars) fail('ACCOUNTS_WEAK_PASSWORD');
  }

  async function createSession(accountId: number, deviceName: string, userAgent: string | undefined) {
    const token = randomToken('plz_');
    const now = Date.now();
    const row = await db
      .insertInto('sessions')
      .values({
        account_id: accountId,
        token_hash: sha256Hex(token),
        device_name: deviceName.slice(0, 60),
        user_agent: userAgent?.slice(0, 200) ?? null,
        created_at: now,
        last_seen_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { token, session: { id: idString(row.id), deviceName } };
  }

  async function register(input: { handle: string; password: string; displayName: string; phone?: string; deviceName?: string; userAgent?: string }) {
    validateHandle(input.handle);
    validatePassword(input.password);
    const displayName = input.displayName.trim();
    if (!displayName) fail('VALIDATION_FAILED', 'displayName must not be blank');
    const passwordHash = await hash(input.password, hashOptions);
    const handleLower = input.handle.toLowerCase();
    const existing = await db.selectFrom('accounts').select('id').where('handle_lower', '=', handleLower).executeTakeFirst();
    if (existing) fail('ACCOUNTS_HANDLE_TAKEN');
    let account: AccountRow;
    try {
      account = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('accounts')
          .values({
            handle: input.handle,
            handle_lower: handleLower,
            display_name: displayName,
            password_hash: passwordHash,
            phone: input.phone ?? null,
            created_at: Date.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await deps.inbox.createHead(trx, row.id);
        return row;
      });
      account = await grantOperatorOnRegistration(account);
    } catch (error) {
      // Two registrations of one handle at once: the unique index decides, the loser gets a 409.
      if (isUniqueViolation(error)) fail('ACCOUNTS_HANDLE_TAKEN');
      throw error;
    }
    const { token, session } = await createSession(account.id, input.deviceName ?? 'Web', input.userAgent);
    return { account: presentOwnAccount(account), token, session };
  }

  // Operators --------------------------------------------------------------------------------------
  const operatorHandles = new Set(ctx.config.operators.handles);

  async function grantOperatorOnRegistration(account: AccountRow): Promise<AccountRow> {
    if (operatorHandles.has(account.handle_lower)) return setOperator(account.id, true);
    if (!ctx.config.operators.firstAccount || operatorHandles.size > 0) return account;
    // The instance's first member owns it (as in Gitea or Mattermost). Two sign-ups in the same
    // instant may both see no operator; both then are, which an operator can undo.
    const existing = await db.selectFrom('accounts').select('id').where('is_operator', '=', 1).limit(1).executeTakeFirst();
    return existing ? account : setOperator(account.id, true);
  }

  async function setOperator(accountId: number, isOperator: boolean): Promise<AccountRow> {
    const row = await db
      .updateTable('accounts')
      .set({ is_operator: isOperator ? 1 : 0 })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirst();
    if (!row) fail('ACCOUNTS_NOT_FOUND');
    for (const [tokenHash, session] of sessionCache) if (session.accountId === accountId) sessionCache.delete(tokenHash);
    return row;
  }

  /** Makes every account named in OPERATOR_HANDLES an operator (at start-up). */
  async function applyOperatorHandles(): Promise<void> {
    if (operatorHandles.size === 0) return;
    await db
      .updateTable('accounts')
      .set({ is_operator: 1 })
      .where('handle_lower', 'in', [...operatorHandles])
      .execute();
  }

  async function listOperators() {
    const rows = await db.selectFrom('accounts').selectAll().where('is_operator', '=', 1).orderBy('id').limit(limits.operatorsMax).execute();
    return rows.map(presentAccount);
  }

  async function grantOperator(actorId: number, handle: string) {
    const target = await findByHandle(handle);
    if (!target) fail('ACCOUNTS_NOT_FOUND');
    if (target.id === actorId) fail('VALIDATION_FAILED', 'You are an operator already.');
    return presentAccount(await setOperator(target.id, true));
  }

  async function revokeOperator(actorId: number, accountId: number) {
    if (accountId === actorId) fail('OPERATOR_SELF_REVOKE');
    const row = await db.selectFrom('accounts').select(['id', 'is_operator']).where('id', '=', accountId).executeTakeFirst();
    if (!row || row.is_operator !== 1) fail('ACCOUNTS_NOT_FOUND');
    await setOperator(accountId, false);
  }

  function checkLoginRate(key: string): void {
    const entry = loginFailures.get(key);
    if (!entry) return;
    if (Date.now() - entry.windowStart > limits.loginFailureWindowMs) {
      loginFailures.delete(key);
      return;
    }
    if (entry.count >= limits.loginFailuresPerWindow) fail('AUTH_TOO_MANY_ATTEMPTS');
  }

  function recordLoginFailure(key: string): void {
    const now = Date.now();
    const entry = loginFailures.get(key);
    if (!entry || now - entry.windowStart > limits.loginFailureWindowMs) loginFailures.set(key, { count: 1, windowStart: now });
    else entry.count += 1;
    if (loginFailures.size > 100_000) loginFailures.clear(); // bounded memory under a spray of handles
  }

  async function login(input: { handle: string; password: string; deviceName?: string; userAgent?: string; ip: string }) {
    const handleLower = input.handle.toLowerCase();
    const keys = [`h:${handleLower}`, `ip:${input.ip}:${handleLower}`];
    for (const key of keys) checkLoginRate(key);
    const account = await db.selectFrom('accounts').selectAll().where('handle_lower', '=', handleLower).executeTakeFirst();
    const ok = await verify(account?.password_hash ?? (await decoyHash), input.password);
    if (!account || !ok) {
      for (const key of keys) recordLoginFailure(key);
      fail('AUTH_INVALID_CREDENTIALS');
    }
    for (const key of keys) loginFailures.delete(key);
    const { token, session } = await createSession(account.id, input.deviceName ?? 'Web', input.userAgent);
    return { token, session, account: presentOwnAccount(account) };
  }

  // Last-seen times are best effort: gathered for a second and written in one statement, so a
  // rush of devices costs one commit, not one (fsynced on SQLite) commit per session.
  const seenPending = new Map<number, number>();
  let seenTimer: NodeJS.Timeout | undefined;
  function noteSeen(sessionId: number, at: number): void {
    seenPending.set(sessionId, at);
    seenTimer ??= setTimeout(() => void flushSeen(), LAST_SEEN_FLUSH_MS).unref();
  }
  async function flushSeen(): Promise<void> {
    seenTimer = undefined;
    const entries = [...seenPending];
    seenPending.clear();
    for (let start = 0; start < entries.length; start += 500) {
      const rows = sql.join(entries.slice(start, start + 500).map(([id, at]) => sql`(CAST(${id} AS bigint), CAST(${at} AS bigint))`));
      await sql`UPDATE sessions SET last_seen_at = v.column2 FROM (VALUES ${rows}) AS v WHERE sessions.id = v.column1`.execute(db).catch(() => {});
    }
  }

  async function authenticate(token: string): Promise<AuthenticatedSession | undefined> {
    const tokenHash = sha256Hex(token);
    const now = Date.now();
    const cached = sessionCache.get(tokenHash);
    if (cached && now - cached.cachedAt < SESSION_CACHE_TTL_MS) {
      if (now - cached.lastSeenWriteAt > LAST_SEEN_EVERY_MS) {
        cached.lastSeenWriteAt = now;
        noteSeen(cached.sessionId, now);
      }
      return cached;
    }
    const row = await db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select(['sessions.id', 'sessions.account_id', 'sessions.revoked_at', 'accounts.is_operator'])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) {
      sessionCache.delete(tokenHash);
      return undefined;
    }
    const session = {
      accountId: row.account_id,
      sessionId: row.id,
      tokenHash,
      isOperator: row.is_operator === 1,
      cachedAt: now,
      lastSeenWriteAt: cached?.lastSeenWriteAt ?? 0,
    };
    if (sessionCache.size > 50_000) sessionCache.clear();
    sessionCache.set(tokenHash, session);
    return session;
  }

  async function getAccount(accountId: number): Promise<AccountRow> {
    const row = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    if (!row) fail('ACCOUNTS_NOT_FOUND');
    return row;
  }

  async function getAccounts(accountIds: number[]): Promise<Map<number, AccountRow>> {
    const unique = [...new Set(accountIds)];
    const map = new Map<number, AccountRow>();
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await db
        .selectFrom('accounts')
        .selectAll()
        .where('id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const row of rows) map.set(row.id, row);
    }
    return map;
  }

  async function findByHandle(handle: string): Promise<AccountRow | undefined> {
    return db.selectFrom('accounts').selectAll().where('handle_lower', '=', handle.toLowerCase()).executeTakeFirst();
  }

  /** Exact-match search, honouring each member's "find me by" privacy settings. */
  async function search(query: { handle?: string; phone?: string }) {
    if (query.handle) {
      const row = await findByHandle(query.handle);
      return row && row.handle_discoverable === 1 ? [presentAccount(row)] : [];
    }
    if (query.phone) {
      const rows = await db.selectFrom('accounts').selectAll().where('phone', '=', query.phone).where('phone_discoverable', '=', 1).limit(5).execute();
      return rows.map(presentAccount);
    }
    fail('VALIDATION_FAILED', 'Give a handle or a phone number to search for.');
  }

  async function updateProfile(
    accountId: number,
    patch: {
      displayName?: string;
      avatarMediaId?: number | null;
      phone?: string | null;
      region?: string | null;
      phoneDiscoverable?: boolean;
      handleDiscoverable?: boolean;
    },
  ) {
    const set: Updateable<Database['accounts']> = {};
    if (patch.displayName !== undefined) {
      const name = patch.displayName.trim();
      if (!name) fail('VALIDATION_FAILED', 'displayName must not be blank');
      set.display_name = name;
    }
    if (patch.avatarMediaId !== undefined && patch.avatarMediaId !== null) {
      // An avatar is the member's own picture, and everyone may see it once it is one.
      const row = await deps.media.requireOwnUpload(accountId, patch.avatarMediaId, ['avatar', 'image']);
      await deps.media.makePublic(row.id);
    }
    if (patch.avatarMediaId !== undefined) set.avatar_media_id = patch.avatarMediaId;
    if (patch.phone !== undefined) set.phone = patch.phone;
    if (patch.region !== undefined) set.region = patch.region;
    if (patch.phoneDiscoverable !== undefined) set.phone_discoverable = patch.phoneDiscoverable ? 1 : 0;
    if (patch.handleDiscoverable !== undefined) set.handle_discoverable = patch.handleDiscoverable ? 1 : 0;
    if (Object.keys(set).length > 0) await db.updateTable('accounts').set(set).where('id', '=', accountId).execute();
    return presentOwnAccount(await getAccount(accountId));
  }

  async function changePassword(accountId: number, currentSessionId: number, currentPassword: string, newPassword: string) {
    validatePassword(newPassword);
    const account = await getAccount(accountId);
    if (!(await verify(account.password_hash, currentPassword))) fail('AUTH_INVALID_CREDENTIALS', 'The current password is wrong.');
    await db
      .updateTable('accounts')
      .set({ password_hash: await hash(newPassword, hashOptions) })
      .where('id', '=', accountId)
      .execute();
    await revokeSessions(accountId, { exceptSessionId: currentSessionId });
  }

  async function listSessions(accountId: number, currentSessionId: number) {
    const rows = await db
      .selectFrom('sessions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .orderBy('last_seen_at', 'desc')
      .limit(limits.sessionsPerAccountMax)
      .execute();
    return rows.map((r) => ({
      id: idString(r.id),
      deviceName: r.device_name,
      userAgent: r.user_agent,
      createdAt: toIso(r.created_at),
      lastSeenAt: toIso(r.last_seen_at),
      current: r.id === currentSessionId,
    }));
  }

  async function renameSession(accountId: number, sessionId: number, deviceName: string) {
    const result = await db
      .updateTable('sessions')
      .set({ device_name: deviceName })
      .where('id', '=', sessionId)
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) fail('ACCOUNTS_SESSION_NOT_FOUND');
  }

  /** Revokes one session, or all but one; open WebSockets of revoked sessions are closed on every node. */
  async function revokeSessions(accountId: number, which: { sessionId?: number; exceptSessionId?: number }) {
    let query = db.selectFrom('sessions').select(['id', 'token_hash']).where('account_id', '=', accountId).where('revoked_at', 'is', null);
    if (which.sessionId !== undefined) query = query.where('id', '=', which.sessionId);
    if (which.exceptSessionId !== undefined) query = query.where('id', '!=', which.exceptSessionId);
    const rows = await query.execute();
    if (which.sessionId !== undefined && rows.length === 0) fail('ACCOUNTS_SESSION_NOT_FOUND');
    if (rows.length === 0) return;
    await db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    for (const row of rows) sessionCache.delete(row.token_hash);
    ctx.bus.publish(SESSIONS_REVOKED_TOPIC, JSON.stringify({ tokenHashes: rows.map((r) => r.token_hash), sessionIds: rows.map((r) => r.id) }));
  }

  // QR login: the login page asks for a code (keeping a secret), a signed-in device scans and
  // confirms it, and the page, polling with its secret, receives a new session exactly once.
  async function createQrLogin(deviceName: string | undefined) {
    const id = randomToken('', 18);
    const secret = randomToken('', 24);
    const now = Date.now();
    await db
      .insertInto('qr_logins')
      .values({
        id,
        secret_hash: sha256Hex(secret),
        status: 'pending',
        account_id: null,
        session_token: null,
        device_name: deviceName ?? 'Web',
        created_at: now,
        expires_at: now + limits.qrLoginTtlMs,
      })
      .execute();
    return { id, secret, qrText: `plaza://login/${id}`, expiresAt: toIso(now + limits.qrLoginTtlMs) };
  }

  async function loadQrLogin(id: string) {
    const row = await db.selectFrom('qr_logins').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.expires_at < Date.now() || row.status === 'consumed' || row.status === 'cancelled') fail('ACCOUNTS_QR_LOGIN_NOT_FOUND');
    return row;
  }

  async function pollQrLogin(id: string, secret: string) {
    const row = await db.selectFrom('qr_logins').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.secret_hash !== sha256Hex(secret)) fail('ACCOUNTS_QR_LOGIN_NOT_FOUND');
    if (row.status === 'confirmed' && row.session_token && row.account_id) {
      // Hand the token out once: the row forgets it in the same statement that marks it consumed.
      const taken = await db
        .updateTable('qr_logins')
        .set({ status: 'consumed', session_token: null })
        .where('id', '=', id)
        .where('status', '=', 'confirmed')
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) {
        const account = await getAccount(row.account_id);
        return { status: 'confirmed' as const, token: row.session_token, account: presentOwnAccount(account) };
      }
    }
    if (row.expires_at < Date.now() && row.status !== 'consumed') return { status: 'expired' as const };
    if (row.status === 'scanned' && row.account_id) {
      const account = await getAccount(row.account_id);
      return { status: 'scanned' as const, account: presentAccount(account) };
    }
    return { status: row.status === 'consumed' ? ('consumed' as const) : row.status };
  }

  async function scanQrLogin(id: string, accountId: number) {
    const row = await loadQrLogin(id);
    if (row.status !== 'pending' && !(row.status === 'scanned' && row.account_id === accountId)) fail('ACCOUNTS_QR_LOGIN_STATE');
    await db.updateTable('qr_logins').set({ status: 'scanned', account_id: accountId }).where('id', '=', id).execute();
    return { id, deviceName: row.device_name, status: 'scanned' as const };
  }

  async function confirmQrLogin(id: string, accountId: number, userAgent?: string) {
    const row = await loadQrLogin(id);
    if (row.status !== 'scanned' || row.account_id !== accountId) fail('ACCOUNTS_QR_LOGIN_STATE');
    const { token } = await createSession(accountId, row.device_name, userAgent);
    const updated = await db
      .updateTable('qr_logins')
      .set({ status: 'confirmed', session_token: token })
      .where('id', '=', id)
      .where('status', '=', 'scanned')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) fail('ACCOUNTS_QR_LOGIN_STATE');
    return { status: 'confirmed' as const };
  }

  async function cancelQrLogin(id: string, accountId: number) {
    const row = await loadQrLogin(id);
    if (row.account_id !== accountId) fail('ACCOUNTS_QR_LOGIN_STATE');
    await db.updateTable('qr_logins').set({ status: 'cancelled' }).where('id', '=', id).execute();
  }

  return {
    register,
    login,
    authenticate,
    getAccount,
    getAccounts,
    findByHandle,
    search,
    updateProfile,
    changePassword,
    listSessions,
    renameSession,
    revokeSessions,
    createQrLogin,
    pollQrLogin,
    scanQrLogin,
    confirmQrLogin,
    cancelQrLogin,
    setOperator,
    applyOperatorHandles,
    listOperators,
    grantOperator,
    revokeOperator,
    onSessionsRevoked(listener: (sessionIds: number[]) => void) {
      revokedListeners.add(listener);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
