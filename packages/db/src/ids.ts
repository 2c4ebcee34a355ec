import { getRandomValues } from 'node:crypto';
import { V7Generator } from 'uuidv7';

// UUIDv7: time-ordered, so ids double as the cursor-pagination key and index inserts stay append-mostly.
// The library's default RNG refills 8 words at a time; bulk ingest makes a million ids in seconds,
// so this one draws from the same CSPRNG in larger blocks.
const block = new Uint32Array(4096);
let cursor = block.length;
const generator = new V7Generator({
  nextUint32() {
    if (cursor >= block.length) {
      getRandomValues(block);
      cursor = 0;
    }
    return block[cursor++]!;
  },
});

export const newId = (): string => generator.generate().toString();
