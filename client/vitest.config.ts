import { defineConfig } from "vitest/config";

/**
 * The client SDK's tests run against the real local gateway over HTTP:
 * `test/global_setup.ts` starts `scripts/test_stack.ts` on the database in
 * LAB_TEST_DATABASE_URL (npm test provides a throwaway one).
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global_setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
