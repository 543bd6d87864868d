/** An append-only typed array that doubles when full (postings, terms, spill offsets). */
export class GrowingArray<T extends Uint8Array | Uint32Array | Float64Array> {
  private data: T;
  length = 0;

  constructor(
    private readonly kind: {new (length: number): T},
    capacity = 1 << 12,
  ) {
    this.data = new kind(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new this.kind(Math.max(16, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** The bytes of a typed array, without copying. */
export function u32(array: Uint32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
