import { Toast } from 'antd-mobile';
import { LinkOutline, PictureOutline, UnorderedListOutline } from 'antd-mobile-icons';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../../lib/api';
import { TID } from '../../testids';

const MEDIA_SRC = /^\/api\/v1\/media\/\d+(\/thumb)?$/;

/**
 * Plaza media need the bearer token, so <img src="/api/v1/media/…"> cannot load on its own: the
 * bytes are fetched and shown through an object URL, and the real path is kept in data-src.
 */
async function showImages(container: HTMLElement) {
  for (const img of Array.from(container.querySelectorAll('img'))) {
    const src = img.getAttribute('data-src') ?? img.getAttribute('src') ?? '';
    if (!MEDIA_SRC.test(src) || img.getAttribute('data-src')) continue;
    img.setAttribute('data-src', src);
    img.removeAttribute('src');
    try {
      img.src = URL.createObjectURL(await api.fetchMedia(src));
    } catch {
      img.alt = '';
    }
  }
}

/** The editor's HTML with media paths put back (the server keeps only a safe subset anyway). */
function serialize(container: HTMLElement): string {
  const copy = container.cloneNode(true) as HTMLElement;
  for (const img of Array.from(copy.querySelectorAll('img[data-src]'))) {
    img.setAttribute('src', img.getAttribute('data-src') ?? '');
    img.removeAttribute('data-src');
  }
  return copy.innerHTML;
}

/** Server-sanitized article HTML, with Plaza images loaded. */
export function ArticleHtml({ html, testId }: { html: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current && html.includes('<img')) void showImages(ref.current);
  }, [html]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitizes article HTML before storing it (modules/official/html.ts).
  return <div ref={ref} className="official-article-html" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}

/**
 * A small rich-text editor: bold, italic, heading, list, link and image, on contentEditable.
 * `onChange` receives HTML with Plaza media paths (never object URLs).
 */
export function RichTextEditor({ onChange, placeholder, testId }: { onChange: (html: string) => void; placeholder: string; testId?: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const emit = () => {
    if (ref.current) onChange(serialize(ref.current));
  };
  const command = (name: string, value?: string) => {
    ref.current?.focus();
    document.execCommand(name, false, value);
    emit();
  };
  const tools: { label: ReactNode; title: string; run: () => void }[] = [
    { label: 'B', title: t('Bold'), run: () => command('bold') },
    { label: 'I', title: t('Italic'), run: () => command('italic') },
    { label: 'H', title: t('Heading'), run: () => command('formatBlock', '<h2>') },
    { label: '¶', title: t('Paragraph'), run: () => command('formatBlock', '<p>') },
    { label: <UnorderedListOutline />, title: t('List'), run: () => command('insertUnorderedList') },
    {
      label: <LinkOutline />,
      title: t('Link'),
      run: () => {
        const url = window.prompt(t('Link address (https://…)'));
        if (url && /^https?:\/\//.test(url)) command('createLink', url);
      },
    },
    { label: <PictureOutline />, title: t('Image'), run: () => file.current?.click() },
  ];
  return (
    <div className="official-editor">
      <div className="official-editor-tools" role="toolbar" aria-label={t('Formatting')}>
        {tools.map((tool) => (
          <button
            key={tool.title}
            type="button"
            title={tool.title}
            aria-label={tool.title}
            onMouseDown={(e) => {
              // Keep the selection in the editor.
              e.preventDefault();
              tool.run();
            }}
          >
            {tool.label}
          </button>
        ))}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: rich text needs contentEditable; a textarea cannot hold formatting. */}
      <div
        ref={ref}
        role="textbox"
        aria-multiline="true"
        className="official-editor-area"
        contentEditable
        tabIndex={0}
        suppressContentEditableWarning
        aria-label={placeholder}
        data-placeholder={placeholder}
        data-testid={testId ?? TID.OFFICIAL_EDITOR}
        onInput={emit}
        onBlur={emit}
      />
      <input
        ref={file}
        type="file"
        accept="image/*"
        hidden
        onChange={async (e) => {
          const chosen = e.target.files?.[0];
          e.target.value = '';
          if (!chosen) return;
          try {
            const { media } = await api.uploadMedia('image', chosen, chosen.name);
            ref.current?.focus();
            document.execCommand('insertHTML', false, `<img src="${media.url}" alt="">`);
            if (ref.current) await showImages(ref.current);
            emit();
          } catch (error) {
            Toast.show({ icon: 'fail', content: errorText(error) });
          }
        }}
      />
    </div>
  );
}
