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
      /** Entries that load but may not do what was meant, in line order. */
      warnings: PriceFileError[];
    }
  | {
      ok: false;
      /** Every error, of every kind, in line order. */
      errors: PriceFileError[];
      /** Every warning, in line order. */
      warnings: PriceFileError[];
    };

/**
 * Checks a price data file or an override file (YAML or JSON) without loading it into a book:
 * every problem is reported, each naming file, line, field, value and what is accepted. Override
 * files are also checked against the bundled price book, even when some entries are malformed:
 * patched models exist, new models are not named one typo away from a listed one (unless marked
 * `new: true`), aliases resolve, and every provider and model glob of a rule or discount matches
 * something in the book. Problems that would reject the file are `errors`; entries that load but may
 * not do what was meant are `warnings`.
 */
export function validatePriceFile(path: string): PriceFileCheck {
  let doc: SourceDoc;
  try {
    doc = readSourceDoc(path);
  } catch (err) {
    if (err instanceof PriceFileError) return { ok: false, errors: [err], warnings: [] };
    throw err;
  }
  if (isPriceData(doc.value)) {
    const p: Problems = { doc, errors: [] };
    const data = readPriceData(p, 'prices_file');
    if (p.errors.length > 0) return { ok: false, errors: sorted(p.errors), warnings: [] };
    const models = data.providers.reduce((n, provider) => n + provider.models.length, 0);
    return {
      ok: true,
      kind: 'price_data',
      summary: `price data ${data.version}: ${data.providers.length} providers, ${models} models`,
      warnings: [],
    };
  }
  const layer = checkLayer(doc);
  // Entries that could be read are checked against the book even when others could not.
  buildBook(bundledPriceData(), [layer], false);
  const warnings = sorted(layer.problems.warnings ?? []);
  if (layer.problems.errors.length > 0) return { ok: false, errors: sorted(layer.problems.errors), warnings };
  const o = layer.overlay;
  const parts = [
    `${o.models.length} model${o.models.length === 1 ? '' : 's'}`,
    `${o.aliases.length} alias${o.aliases.length === 1 ? '' : 'es'}`,
    `${o.discounts.length} discount${o.discounts.length === 1 ? '' : 's'}`,
    `${o.tierRules.length} service-tier rule${o.tierRules.length === 1 ? '' : 's'}`,
  ];
  return { ok: true, kind: 'overrides', summary: `overrides ${o.versionLabel}: ${parts.join(', ')}`, warnings };
}

function sorted(errors: PriceFileError[]): PriceFileError[] {
  return [...errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
