/** A valid test configuration with overrides; never reads the developer's environment. */
import { loadConfig, type AppConfig } from '../../config/index.ts';

export function testConfig(overrides: Record<string, unknown> = {}, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    env: {
      NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0',
      HELPDESK_SECRET: 'test-secret-0123456789abcdef', ADMIN_TOKEN: 'test-admin-token-0123456789',
      SUPPORT_ADDRESS: 'support@helpdesk.test', PUBLIC_URL: 'http://127.0.0.1',
      ...env,
    },
    overrides,
  });
}
