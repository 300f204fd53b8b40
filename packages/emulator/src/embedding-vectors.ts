import { hashText, seededRandom } from './seeded-random';

/**
 * A deterministic unit-length embedding for a text: the same text and size always give the
 * same vector. Values are float32-representable.
 */
export function embeddingVector(text: string, dimensions: number): number[] {
  const random = seededRandom(hashText(`${dimensions}:${text}`));
  const values = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i += 1) {
    values[i] = random() * 2 - 1;
    norm += values[i] * values[i];
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i += 1) values[i] = values[i] * scale;
  return Array.from(values);
}

/** Base64 of the vector as little-endian float32 values (OpenAI `encoding_format: 'base64'`). */
export function embeddingBase64(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}
