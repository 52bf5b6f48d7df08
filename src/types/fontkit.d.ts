/**
 * The two fontkit calls golive makes (src/audit/documents/pdfFonts.ts): fontkit ships no types.
 * A registered format is a class fontkit asks `probe(buffer)` and then constructs with a stream
 * over that buffer; the object the constructor returns is the font.
 */
declare module 'fontkit' {
  export interface FontFormat {
    probe(buffer: Uint8Array): boolean;
    new (stream: { buffer: Uint8Array }): object;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): object;
  export function registerFormat(format: FontFormat): void;
}
