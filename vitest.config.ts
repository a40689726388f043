import { defineConfig } from 'vitest/config';

// Many tests start processes (dist/index.js, mariadbd, git): on a loaded 2-core CI machine a
// correct test can take several seconds, so the 5 s default turns load into false failures.
// A hung test still fails, just later.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
