// Simplified Chinese strings, keyed by the English text.
export const zh: Record<string, string> = {};
