/** The key the end-to-end server verifies callbacks with; the specs sign with it. */
export const E2E_SIGNING_KEY = 'PSK_e2e_signing_key_0123456789';
