import { PDFDocument, PDFName, PDFDict } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { qrCardPdf } from './qr-card.js';

async function load(businessName: string) {
  const bytes = await qrCardPdf({ content: 'plaza://pay/abc123', businessName, merchantId: '42' });
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  return PDFDocument.load(bytes);
}

describe('the printable till card', () => {
  it('is one A6 page with the QR code as an image, named after the merchant', async () => {
    const doc = await load('Noodle Stall');
    expect(doc.getPageCount()).toBe(1);
    const page = doc.getPage(0);
    expect(Math.round(page.getWidth())).toBe(298);
    expect(Math.round(page.getHeight())).toBe(420);
    expect(doc.getTitle()).toBe('Plaza pay: merchant 42');
    const xobjects = page.node.Resources()?.lookup(PDFName.of('XObject'), PDFDict);
    expect(xobjects?.keys().length).toBe(1);
  });

  it('still prints a card for a name the standard PDF fonts cannot set', async () => {
    const doc = await load('兰州拉面馆');
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Plaza pay: merchant 42');
  });
});
