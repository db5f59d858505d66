// A real OpenID Connect provider for the tests: panva's `oidc-provider` (OpenID Certified),
// pinned in tools/package.json and installed into tools/node_modules by `npm ci --prefix tools`.
//
//   node tests/oidc/provider.mjs
//   OIDC_USERINFO_PATH=/v1/userinfo node tests/oidc/provider.mjs   # userinfo at another path
//
// Listens on 127.0.0.1, a random port; prints the issuer URL as the first line of stdout and
// exits when stdin closes (so a test that dies takes the provider with it). In memory only.
//
// The test user is `alice`. The browser pages are the provider's own development interactions
// (a login form, a consent form, the device flow's user-code pages), posted by the tests over
// plain HTTP. Clients:
// - `apilogin-cli`: public (no secret), PKCE S256 required, native app with the loopback
//   redirect http://127.0.0.1/callback (any port, RFC 8252), the device grant, refresh tokens;
// - `apilogin-short`: the same, but its device codes expire after 2 seconds;
// - `apilogin-service`: confidential (secret `service-secret`), client credentials.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// stdout carries only the issuer line: the provider's notices (console.log/info) go to stderr,
// and a reader that stopped reading cannot break the provider with EPIPE.
console.log = console.error;
console.info = console.error;

// The package lives in tools/node_modules, not beside this script.
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'tools', 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

export const USER = 'alice';
const ACCOUNTS = {
  alice: { sub: 'alice', email: 'alice@example.test', email_verified: true, name: 'Alice' },
};

// A fresh signing key per run: the ID tokens are checked against the JWKS the provider serves.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const publicClient = (clientId) => ({
  client_id: clientId,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
});

const provider = new Provider(issuer, {
  clients: [
    publicClient('apilogin-cli'),
    publicClient('apilogin-short'),
    {
      client_id: 'apilogin-service',
      client_secret: 'service-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  findAccount: async (_ctx, id) => {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => claims };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  // OIDC_USERINFO_PATH: userinfo served elsewhere than oidc-provider's `/me` (as Google's
  // `/v1/userinfo` is), for the tests of a provider that is not the sixth spec's.
  ...(process.env.OIDC_USERINFO_PATH ? { routes: { userinfo: process.env.OIDC_USERINFO_PATH } } : {}),
  // PKCE for every authorization request (S256 is the only method oidc-provider 9 accepts).
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
  },
  // Refresh tokens to any client allowed the grant, without requiring `offline_access`.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 600,
    DeviceCode: (_ctx, _token, client) => (client.clientId === 'apilogin-short' ? 2 : 600),
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});
// Its warnings about development settings are expected here; errors still go to stderr.
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

server.on('request', provider.callback());
process.stdout.write(`${issuer}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
