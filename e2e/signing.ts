/** The key the end-to-end server verifies callbacks with; the specs sign with it. */
export const E2E_SIGNING_KEY = 'PSK_e2e_signing_key_0123456789';

/** The end-to-end server's first admin password (ADMIN_PASSWORD). */
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password-1';
/** Where the setup project keeps the admin's signed-in browser state for the other specs. */
export const ADMIN_STATE = 'e2e/.auth/admin.json';
