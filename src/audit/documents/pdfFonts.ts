import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Fontkit from 'fontkit';

/**
 * The PDFs' fonts, read and decoded once per process. pdfkit (under pdfmake) reads each font
 * file anew for every document, and a document pays the decoding of its tables (glyph metrics,
 * kerning, substitutions) the first time it lays out text: ≈20–30 ms a font, a dossier's five
 * PDFs ≈100 ms. Here each document still gets a font object of its own, but its decoded tables
 * are the ones every document shares (fontkit shares them the same way between a font's
 * variations). Only the tables: the glyph objects stay each document's, because a glyph
 * remembers the characters it was first made for, which become the PDF's text mapping — a
 * glyph first made while subsetting another document (a period inside "…") maps to no text.
 *
 * How it reaches pdfkit: pdfmake reads fonts from its virtual file system when a name is there;
 * each of ours holds a short marker, and a font format registered with fontkit (its public
 * `registerFormat`) recognises the marker and answers with the font parsed from the real file.
 * No other file is read.
 */

// The fontkit pdfkit itself loads (its CommonJS build): an `import` could bind another copy.
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as typeof Fontkit;

const FONT_DIR = path.join(path.dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
const MARKER = 'golive-shared-font:';

export const FONT_FILES = {
  normal: path.join(FONT_DIR, 'Roboto-Regular.ttf'),
  bold: path.join(FONT_DIR, 'Roboto-Medium.ttf'),
  italics: path.join(FONT_DIR, 'Roboto-Italic.ttf'),
  bolditalics: path.join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
};

/** What fontkit's TrueType font keeps its decoded tables in (by tag, decoded when first read). */
type TrueTypeFont = object & { _tables: Record<string, unknown> };

const shared = new Map<string, { bytes: Buffer; tables: Record<string, unknown> }>();

/** A new font object for `file`, over the bytes read once and the tables decoded so far. */
function fontOf(file: string): TrueTypeFont {
  let font = shared.get(file);
  if (!font) shared.set(file, (font = { bytes: fs.readFileSync(file), tables: {} }));
  const made = fontkit.create(font.bytes) as TrueTypeFont;
  made._tables = font.tables;
  return made;
}

const markerOf = (file: string) => Buffer.from(`${MARKER}${file}`, 'utf8');
const isMarker = (buffer: Uint8Array) =>
  buffer.length > MARKER.length && Buffer.from(buffer.subarray(0, MARKER.length)).toString('utf8') === MARKER;

class SharedFont {
  static probe(buffer: Uint8Array): boolean {
    return isMarker(buffer);
  }

  constructor(stream: { buffer: Uint8Array }) {
    const file = Buffer.from(stream.buffer).toString('utf8').slice(MARKER.length);
    if (!Object.values(FONT_FILES).includes(file)) throw new Error(`not one of golive's PDF fonts: ${file}`);
    // A constructor may answer with another object: fontkit takes it as the font.
    return fontOf(file) as SharedFont;
  }
}

fontkit.registerFormat(SharedFont);

/** The virtual file each font is known by in pdfmake, holding its marker. */
export const SHARED_FONT_NAMES = {
  normal: 'golive/Roboto-Regular',
  bold: 'golive/Roboto-Medium',
  italics: 'golive/Roboto-Italic',
  bolditalics: 'golive/Roboto-MediumItalic',
} as const satisfies Record<keyof typeof FONT_FILES, string>;

/** Puts the markers in pdfmake's virtual file system. */
export function registerSharedFonts(vfs: { writeFileSync(name: string, content: Buffer): void }): void {
  for (const style of Object.keys(FONT_FILES) as (keyof typeof FONT_FILES)[])
    vfs.writeFileSync(SHARED_FONT_NAMES[style], markerOf(FONT_FILES[style]));
}
