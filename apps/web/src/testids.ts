/**
 * data-testid values used by the end-to-end tests. Keep them stable: tests depend on them.
 *
 * Auth:        AUTH_TAB_LOGIN, AUTH_TAB_REGISTER, AUTH_TAB_QR, REGISTER_HANDLE, REGISTER_DISPLAY_NAME,
 *              REGISTER_PASSWORD, REGISTER_SUBMIT, LOGIN_HANDLE, LOGIN_PASSWORD, LOGIN_SUBMIT,
 *              QR_LOGIN_IMAGE, QR_LOGIN_STATUS, QR_LOGIN_REFRESH
 * Frame:       TAB_CHATS, TAB_CONTACTS, TAB_DISCOVER, TAB_ME, TOPBAR_PLUS, PLUS_NEW_GROUP,
 *              PLUS_ADD_CONTACT, PLUS_SCAN, CONNECTING_BANNER
 * Chats:       CHAT_SEARCH, CONVERSATION_ROW (with data-conversation-id), CHATS_EMPTY
 * Chat view:   CHAT_INPUT, CHAT_SEND, CHAT_EMOJI_BUTTON, CHAT_PLUS_BUTTON, CHAT_VOICE_TOGGLE,
 *              CHAT_HOLD_TO_TALK, ATTACH_IMAGE_INPUT, ATTACH_CAMERA_INPUT, ATTACH_FILE_INPUT,
 *              ATTACH_LOCATION, ATTACH_CONTACT_CARD, MESSAGE_BUBBLE (with data-seq, data-message-id,
 *              data-status), MESSAGE_RETRY, MESSAGE_MENU_COPY, MESSAGE_MENU_FORWARD,
 *              MESSAGE_MENU_QUOTE, MESSAGE_MENU_MULTI, MESSAGE_MENU_RECALL, MESSAGE_MENU_DELETE,
 *              MULTI_FORWARD, FORWARD_TARGET (with data-conversation-id), FORWARD_CONFIRM,
 *              MENTION_OPTION (with data-account-id), CHAT_INFO_BUTTON
 * Group info:  GROUP_MEMBER (with data-account-id), GROUP_ADD_MEMBER, GROUP_RENAME, GROUP_NOTICE,
 *              GROUP_MUTE, GROUP_PIN, GROUP_INVITE_QR_BUTTON, GROUP_INVITE_QR, GROUP_LEAVE
 * Group create: GROUP_MEMBER_CHECKBOX (with data-account-id), GROUP_CREATE_BUTTON
 * Contacts:    NEW_FRIENDS_ENTRY, NEW_FRIEND_ACCEPT, NEW_FRIEND_DECLINE, CONTACT_ROW (with
 *              data-account-id), PROFILE_MESSAGE, PROFILE_MORE, PROFILE_ADD
 * Add contact: ADD_CONTACT_INPUT, ADD_CONTACT_SEARCH, ADD_CONTACT_RESULT, ADD_CONTACT_GREETING,
 *              ADD_CONTACT_ADD
 * Scan:        SCAN_UPLOAD_INPUT, SCAN_VIDEO, LOGIN_CONFIRM, LOGIN_CANCEL, GROUP_JOIN
 * Me:          ME_PROFILE_ROW, ME_QR_BUTTON, MY_QR_IMAGE, SETTINGS_ENTRY, LOGOUT_BUTTON,
 *              SETTINGS_DISPLAY_NAME, SESSION_ROW, SESSION_REVOKE, SESSIONS_REVOKE_OTHERS
 */
export const TID = {
  AUTH_TAB_LOGIN: 'auth-tab-login',
  AUTH_TAB_REGISTER: 'auth-tab-register',
  AUTH_TAB_QR: 'auth-tab-qr',
  REGISTER_HANDLE: 'register-handle',
  REGISTER_DISPLAY_NAME: 'register-display-name',
  REGISTER_PASSWORD: 'register-password',
  REGISTER_SUBMIT: 'register-submit',
  LOGIN_HANDLE: 'login-handle',
  LOGIN_PASSWORD: 'login-password',
  LOGIN_SUBMIT: 'login-submit',
  QR_LOGIN_IMAGE: 'qr-login-image',
  QR_LOGIN_STATUS: 'qr-login-status',
  QR_LOGIN_REFRESH: 'qr-login-refresh',

  TAB_CHATS: 'tab-chats',
  TAB_CONTACTS: 'tab-contacts',
  TAB_DISCOVER: 'tab-discover',
  TAB_ME: 'tab-me',
  TOPBAR_PLUS: 'topbar-plus',
  PLUS_NEW_GROUP: 'plus-new-group',
  PLUS_ADD_CONTACT: 'plus-add-contact',
  PLUS_SCAN: 'plus-scan',
  CONNECTING_BANNER: 'connecting-banner',

  CHAT_SEARCH: 'chat-search',
  CONVERSATION_ROW: 'conversation-row',
  CHATS_EMPTY: 'chats-empty',

  CHAT_INPUT: 'chat-input',
  CHAT_SEND: 'chat-send',
  CHAT_EMOJI_BUTTON: 'chat-emoji-button',
  CHAT_PLUS_BUTTON: 'chat-plus-button',
  CHAT_VOICE_TOGGLE: 'chat-voice-toggle',
  CHAT_HOLD_TO_TALK: 'chat-hold-to-talk',
  CHAT_INFO_BUTTON: 'chat-info-button',
  ATTACH_IMAGE_INPUT: 'attach-image-input',
  ATTACH_CAMERA_INPUT: 'attach-camera-input',
  ATTACH_FILE_INPUT: 'attach-file-input',
  ATTACH_LOCATION: 'attach-location',
  ATTACH_CONTACT_CARD: 'attach-contact-card',
  MESSAGE_BUBBLE: 'message-bubble',
  MESSAGE_RETRY: 'message-retry',
  MESSAGE_MENU_COPY: 'message-menu-copy',
  MESSAGE_MENU_FORWARD: 'message-menu-forward',
  MESSAGE_MENU_QUOTE: 'message-menu-quote',
  MESSAGE_MENU_MULTI: 'message-menu-multi',
  MESSAGE_MENU_RECALL: 'message-menu-recall',
  MESSAGE_MENU_DELETE: 'message-menu-delete',
  MULTI_FORWARD: 'multi-forward',
  FORWARD_TARGET: 'forward-target',
  FORWARD_CONFIRM: 'forward-confirm',
  MENTION_OPTION: 'mention-option',

  GROUP_MEMBER: 'group-member',
  GROUP_ADD_MEMBER: 'group-add-member',
  GROUP_RENAME: 'group-rename',
  GROUP_NOTICE: 'group-notice',
  GROUP_MUTE: 'group-mute',
  GROUP_PIN: 'group-pin',
  GROUP_INVITE_QR_BUTTON: 'group-invite-qr-button',
  GROUP_INVITE_QR: 'group-invite-qr',
  GROUP_LEAVE: 'group-leave',
  GROUP_MEMBER_CHECKBOX: 'group-member-checkbox',
  GROUP_CREATE_BUTTON: 'group-create-button',

  NEW_FRIENDS_ENTRY: 'new-friends-entry',
  NEW_FRIEND_ACCEPT: 'new-friend-accept',
  NEW_FRIEND_DECLINE: 'new-friend-decline',
  CONTACT_ROW: 'contact-row',
  PROFILE_MESSAGE: 'profile-message',
  PROFILE_MORE: 'profile-more',
  PROFILE_ADD: 'profile-add',

  ADD_CONTACT_INPUT: 'add-contact-input',
  ADD_CONTACT_SEARCH: 'add-contact-search',
  ADD_CONTACT_RESULT: 'add-contact-result',
  ADD_CONTACT_GREETING: 'add-contact-greeting',
  ADD_CONTACT_ADD: 'add-contact-add',

  SCAN_UPLOAD_INPUT: 'scan-upload-input',
  SCAN_VIDEO: 'scan-video',
  LOGIN_CONFIRM: 'login-confirm',
  LOGIN_CANCEL: 'login-cancel',
  GROUP_JOIN: 'group-join',

  ME_PROFILE_ROW: 'me-profile-row',
  OPERATOR_ENTRY: 'operator-entry',
  OPERATOR_CONSOLE: 'operator-console',
  ME_QR_BUTTON: 'me-qr-button',
  MY_QR_IMAGE: 'my-qr-image',
  SETTINGS_ENTRY: 'settings-entry',
  LOGOUT_BUTTON: 'logout-button',
  SETTINGS_DISPLAY_NAME: 'settings-display-name',
  SESSION_ROW: 'session-row',
  SESSION_REVOKE: 'session-revoke',
  SESSIONS_REVOKE_OTHERS: 'sessions-revoke-others',
} as const;
