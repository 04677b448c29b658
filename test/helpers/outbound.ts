/**
 * The guarded outbound client as tests use it: their fakes and receivers listen on 127.0.0.1,
 * which the SSRF rules refuse unless an admin allows the host, so tests allow exactly that host.
 */
import { createOutboundHttp } from '../../src/security/guarded-http.js';

export const LOOPBACK_ALLOWED = '127.0.0.1';

/** For carriers built directly in a test (not through an AppContext). */
export const loopbackHttp = createOutboundHttp({ allowedHosts: [LOOPBACK_ALLOWED] });
