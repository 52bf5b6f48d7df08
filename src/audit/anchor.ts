/**
 * The dossier's outside anchor: the server sends the SHA-256 of an export's manifest.json in
 * this response header (and logs it), so a copy can later be checked against it
 * (`golive verify --expect-manifest`). No imports: the CLI reads it without loading the rest.
 */
export const MANIFEST_SHA256_HEADER = 'X-Golive-Manifest-Sha256';
