import { isPriceData, readPriceData } from './price-data';
import { buildBook, bundledPriceData, checkLayer } from './price-book';
import { PriceFileError } from './price-file-error';
import type { Problems } from './rate-fields';
import { readSourceDoc, type SourceDoc } from './source-doc';

/** Result of `validatePriceFile()`. */
export type PriceFileCheck =
  | {
      ok: true;
      /** `price_data` (replaces the bundled snapshot) or `overrides` (layered over it). */
      kind: 'price_data' | 'overrides';
      /** One line describing what the file holds. */
      summary: string;
    }
  | { ok: false; errors: PriceFileError[] };

/**
 * Checks a price data file or an override file (YAML or JSON) without loading it into a book:
 * every problem is reported, each naming file, line, field, value and what is accepted. Override
 * files are also checked against the bundled price book (patched models exist, aliases resolve,
 * tier rules name known providers).
 */
export function validatePriceFile(path: string): PriceFileCheck {
  let doc: SourceDoc;
  try {
    doc = readSourceDoc(path);
  } catch (err) {
    if (err instanceof PriceFileError) return { ok: false, errors: [err] };
    throw err;
  }
  if (isPriceData(doc.value)) {
    const p: Problems = { doc, errors: [] };
    const data = readPriceData(p, 'prices_file');
    if (p.errors.length > 0) return { ok: false, errors: sorted(p.errors) };
    const models = data.providers.reduce((n, provider) => n + provider.models.length, 0);
    return { ok: true, kind: 'price_data', summary: `price data ${data.version}: ${data.providers.length} providers, ${models} models` };
  }
  const layer = checkLayer(doc);
  if (layer.problems.errors.length === 0) buildBook(bundledPriceData(), [layer], false);
  if (layer.problems.errors.length > 0) return { ok: false, errors: sorted(layer.problems.errors) };
  const o = layer.overlay;
  const parts = [
    `${o.models.length} model${o.models.length === 1 ? '' : 's'}`,
    `${o.aliases.length} alias${o.aliases.length === 1 ? '' : 'es'}`,
    `${o.discounts.length} discount${o.discounts.length === 1 ? '' : 's'}`,
    `${o.tierRules.length} service-tier rule${o.tierRules.length === 1 ? '' : 's'}`,
  ];
  return { ok: true, kind: 'overrides', summary: `overrides ${o.versionLabel}: ${parts.join(', ')}` };
}

function sorted(errors: PriceFileError[]): PriceFileError[] {
  return [...errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
