import sanitizeHtml from 'sanitize-html';

const MEDIA_SRC = /^\/api\/v1\/media\/([0-9]{1,15})(\/thumb)?$/;

/**
 * The subset of HTML an article keeps: what the editor produces (paragraphs, bold, italic,
 * headings, lists, links, images). Scripts, styles, event handlers and unsafe URLs are dropped.
 * Images are Plaza media or https URLs; links open in a new tab without an opener.
 */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 'h1', 'h2', 'h3', 'ul', 'ol', 'li', 'a', 'img', 'blockquote', 'div', 'span'],
    allowedAttributes: { a: ['href', 'target', 'rel'], img: ['src', 'alt'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    allowedSchemesByTag: { img: ['https'] },
    allowProtocolRelative: false,
    exclusiveFilter: (frame) => frame.tag === 'img' && !isAllowedImage(frame.attribs.src ?? ''),
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
    },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
  }).trim();
}

function isAllowedImage(src: string): boolean {
  return MEDIA_SRC.test(src) || /^https:\/\//.test(src);
}

/** Ids of Plaza media an article's HTML shows. */
export function mediaIdsIn(html: string): number[] {
  const ids = new Set<number>();
  for (const match of html.matchAll(/<img[^>]*\ssrc="\/api\/v1\/media\/([0-9]{1,15})/g)) ids.add(Number(match[1]));
  return [...ids];
}

/** Plain text of an article (for summaries when none is given). */
export function textOf(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/\s+/g, ' ').trim();
}
