import type { Generated } from 'kysely';

/** Row types of the foundation tables; other modules add theirs with `Kysely<Database & TheirTables>`. */
export interface Database {
  accounts: {
    id: Generated<number>;
    handle: string;
    handle_lower: string;
    display_name: string;
    password_hash: string;
    avatar_media_id: number | null;
    phone: string | null;
    phone_discoverable: Generated<number>;
    handle_discoverable: Generated<number>;
    region: string | null;
    created_at: number;
    is_operator: Generated<number>;
  };
  sessions: {
    id: Generated<number>;
    account_id: number;
    token_hash: string;
    device_name: string;
    user_agent: string | null;
    created_at: number;
    last_seen_at: number;
    revoked_at: number | null;
  };
  qr_logins: {
    id: string;
    secret_hash: string;
    status: 'pending' | 'scanned' | 'confirmed' | 'consumed' | 'cancelled';
    account_id: number | null;
    session_token: string | null;
    device_name: string;
    created_at: number;
    expires_at: number;
  };
  friend_requests: {
    id: Generated<number>;
    from_id: number;
    to_id: number;
    message: string;
    status: 'pending' | 'accepted' | 'declined';
    created_at: number;
    updated_at: number;
  };
  contacts: { owner_id: number; peer_id: number; remark: string; tags: string; created_at: number };
  blocks: { owner_id: number; peer_id: number; created_at: number };
  conversations: {
    id: Generated<number>;
    kind: 'direct' | 'group';
    direct_key: string | null;
    title: string;
    notice: string;
    owner_id: number | null;
    last_seq: number;
    last_message_at: number;
    member_count: number;
    created_at: number;
  };
  conversation_members: {
    conversation_id: number;
    account_id: number;
    role: 'owner' | 'admin' | 'member';
    muted: number;
    pinned: number;
    last_read_seq: number;
    joined_seq: number;
    joined_at: number;
  };
  messages: {
    id: Generated<number>;
    conversation_id: number;
    seq: number;
    sender_id: number;
    client_msg_id: string;
    type: string;
    body: string;
    media_id: number | null;
    created_at: number;
    recalled_at: number | null;
  };
  message_hidden: { account_id: number; message_id: number };
  group_invites: { code: string; conversation_id: number; created_by: number; created_at: number; expires_at: number };
  inbox_heads: { account_id: number; last_seq: number };
  inbox_events: {
    account_id: number;
    seq: number;
    type: string;
    conversation_id: number | null;
    message_seq: number | null;
    payload: string | null;
    created_at: number;
  };
  media: {
    id: Generated<number>;
    owner_id: number;
    kind: 'image' | 'voice' | 'video' | 'file' | 'avatar';
    mime: string;
    size_bytes: number;
    file_name: string;
    storage_key: string;
    thumb_key: string | null;
    width: number | null;
    height: number | null;
    duration_ms: number | null;
    public: number;
    created_at: number;
  };
  media_links: { media_id: number; conversation_id: number };
}
