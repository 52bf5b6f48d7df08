import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * A PDF read back the way a viewer reads it (Mozilla's pdf.js, an independent parser): its
 * metadata and the text of every page, whitespace collapsed so wrapped lines join up again.
 */
export interface PdfContents {
  pages: number;
  text: string;
  info: Record<string, unknown>;
}

export async function readPdf(bytes: Uint8Array): Promise<PdfContents> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const texts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    // pdfmake writes a line as several runs (it may break after a hyphen): runs join as they are, lines with a space.
    for (const item of content.items) if ('str' in item) texts.push(item.str + (item.hasEOL ? ' ' : ''));
  }
  const { info } = await pdf.getMetadata();
  const pages = pdf.numPages;
  await pdf.destroy();
  return { pages, text: texts.join('').replace(/\s+/g, ' '), info: info as Record<string, unknown> };
}
