import { PDFDocument, type PDFFont, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';

/** The till's QR code as a PNG, large enough to print sharp at A5. */
export function qrPng(content: string): Promise<Buffer> {
  return QRCode.toBuffer(content, { type: 'png', width: 800, margin: 4, errorCorrectionLevel: 'M' });
}

// A6 portrait, in PDF points (1/72 inch): the size of a till card.
const PAGE = { width: 297.64, height: 419.53 };
const QR_SIDE = 220;

/** Whether `font` (a standard PDF font, WinAnsi only) can set `text`. */
function encodable(font: PDFFont, text: string): boolean {
  try {
    font.encodeText(text);
    return true;
  } catch {
    return false;
  }
}

function centred(page: ReturnType<PDFDocument['addPage']>, font: PDFFont, text: string, size: number, y: number) {
  const width = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: (PAGE.width - width) / 2, y, size, font, color: rgb(0.1, 0.1, 0.1) });
}

/**
 * A printable till card: the business name, the QR code and the merchant's number. The PDF
 * standard fonts set Latin text only, so a name in Chinese (or any script outside WinAnsi) is
 * left off the PDF; the console's Print button (the browser's own fonts) prints it.
 */
export async function qrCardPdf(card: { content: string; businessName: string; merchantId: string }): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Plaza pay: merchant ${card.merchantId}`);
  doc.setCreator('Plaza');
  const page = doc.addPage([PAGE.width, PAGE.height]);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const name = card.businessName.length > 40 ? `${card.businessName.slice(0, 39)}…` : card.businessName;
  if (encodable(bold, name)) centred(page, bold, name, 18, PAGE.height - 60);
  centred(page, regular, 'Scan with Plaza to pay', 12, PAGE.height - 84);
  const image = await doc.embedPng(await qrPng(card.content));
  page.drawImage(image, { x: (PAGE.width - QR_SIDE) / 2, y: PAGE.height - 96 - QR_SIDE, width: QR_SIDE, height: QR_SIDE });
  centred(page, regular, `Merchant No. ${card.merchantId}`, 10, 60);
  return Buffer.from(await doc.save());
}
