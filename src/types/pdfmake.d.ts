/**
 * The few pdfmake 0.3 calls golive makes (src/audit/documents/renderPdf.ts). Written here because
 * @types/pdfmake pulls the DOM lib into the whole program, which retypes Node's fetch and NodeList.
 * The document definition is checked by pdfmake at run time; the shape below is what we build.
 */
declare module 'pdfmake' {
  // The shape of a CommonJS module whose module.exports is one instance.
  namespace pdfmake {
    type Margins = number | [number, number] | [number, number, number, number];
    export type Content =
      | string
      | {
          text?: string | Content[];
          style?: string;
          ul?: Content[];
          stack?: Content[];
          table?: { headerRows?: number; widths?: (string | number)[]; body: Content[][] };
          layout?: string;
          bold?: boolean;
          italics?: boolean;
          color?: string;
          fillColor?: string;
          fontSize?: number;
          margin?: Margins;
          wordBreak?: 'normal' | 'break-all';
        };
    export interface Style {
      font?: string;
      fontSize?: number;
      bold?: boolean;
      italics?: boolean;
      color?: string;
      margin?: Margins;
    }
    export interface DocumentDefinition {
      info?: { title?: string; subject?: string; creator?: string; producer?: string; creationDate?: Date };
      pageSize?: string;
      pageMargins?: Margins;
      defaultStyle?: Style;
      styles?: Record<string, Style>;
      footer?: (page: number, pages: number) => Content;
      content: Content[];
    }
    export interface FontFiles {
      normal: string;
      bold: string;
      italics: string;
      bolditalics: string;
    }
  }
  const pdfmake: {
    setFonts(fonts: Record<string, pdfmake.FontFiles>): void;
    setUrlAccessPolicy(allow: (url: string) => boolean): void;
    setLocalAccessPolicy(allow: (path: string) => boolean): void;
    /** pdfmake's in-memory files: a font name found here is read from it, not from disk. */
    virtualfs: { writeFileSync(name: string, content: Buffer): void };
    createPdf(definition: pdfmake.DocumentDefinition): { getBuffer(): Promise<Buffer> };
  };
  export = pdfmake;
}
