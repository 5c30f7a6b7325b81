// The providers' published signature vectors (docs/webhook.md), and the documented quirks.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import {
  bodySignature,
  bodySignatureSha256,
  formSignature,
  sha256Hex,
  twilioSettingsHash,
  urlVariants,
  verifySignature,
} from '@/lib/callbacks/signature';

const params: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];
const form = new URLSearchParams(params).toString();
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const FORM = 'application/x-www-form-urlencoded';

describe('form signatures (Scheme B)', () => {
  it('matches the classic Twilio/SignalWire vector', () => {
    expect(formSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('sorts keys whatever order they arrive in', () => {
    expect(formSignature('12345', url, [...params].reverse())).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it("matches the Twilio docs' variant", () => {
    const p = params.map(([k, v]): [string, string] => [
      k,
      k === 'Caller' || k === 'From' ? '+12349013030' : v,
    ]);
    expect(formSignature('12345', url, p)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('matches the non-standard port vector over http', () => {
    expect(formSignature('12345', 'http://mycompany.com:1234/myapp.php?foo=1&bar=2', params)).toBe(
      'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=',
    );
  });

  it('verifies a signed form post from either header, with either provider key', () => {
    const req = { url, contentType: FORM, rawBody: form, signatures: ['RSOYDt4T1cUTdK1PDd93/VVr8B8='] };
    expect(verifySignature(['12345'], req)).toBe(true);
    expect(verifySignature(['other-key', '12345'], req)).toBe(true);
    expect(verifySignature(['other-key'], req)).toBe(false);
  });

  it('accepts a signature made over the URL with the default port, as the providers do', () => {
    const req = { url, contentType: FORM, rawBody: form, signatures: ['kvajT1Ptam85bY51eRf/AJRuM3w='] };
    expect(verifySignature(['12345'], req)).toBe(true);
    expect(urlVariants('https://a.example/x')).toEqual(['https://a.example/x', 'https://a.example:443/x']);
  });

  it('does not treat a non-standard port as optional', () => {
    expect(urlVariants('http://mycompany.com:1234/a')).toEqual(['http://mycompany.com:1234/a']);
  });

  it('refuses a tampered body, a missing signature and an empty key list', () => {
    const signatures = ['RSOYDt4T1cUTdK1PDd93/VVr8B8='];
    const tampered = form.replace('1234', '9999');
    expect(verifySignature(['12345'], { url, contentType: FORM, rawBody: tampered, signatures })).toBe(false);
    expect(verifySignature(['12345'], { url, contentType: FORM, rawBody: form, signatures: [] })).toBe(false);
    expect(verifySignature([], { url, contentType: FORM, rawBody: form, signatures })).toBe(false);
  });
});

describe('JSON signatures', () => {
  it('matches SignalWire Scheme A vectors (hex HMAC of URL + raw body)', () => {
    const body =
      '{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}';
    expect(
      bodySignature('PSK_7TruNcSNTxp4zNrykMj4EPzF', 'https://81f2-2-45-18-191.ngrok-free.app/', body),
    ).toBe('b18500437ebb010220ddd770cbe6fd531ea0ba0d');
    const a = '{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}';
    expect(bodySignature('PSKtest1234567890abcdef', 'https://example.ngrok.io/webhook', a)).toBe(
      'c3c08c1fefaf9ee198a100d5906765a6f394bf0f',
    );
    expect(
      verifySignature(['PSKtest1234567890abcdef'], {
        url: 'https://example.ngrok.io/webhook',
        contentType: 'application/json',
        rawBody: a,
        signatures: ['c3c08c1fefaf9ee198a100d5906765a6f394bf0f'],
      }),
    ).toBe(true);
  });

  it("matches Twilio's bodySHA256 vectors and checks the body against the hash", () => {
    const body = '{"property": "value", "boolean": true}';
    expect(sha256Hex(body)).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const signedUrl = `${url}&bodySHA256=${sha256Hex(body)}`;
    const req = {
      url: signedUrl,
      contentType: 'application/json',
      rawBody: body,
      signatures: ['a9nBmqA0ju/hNViExpshrM61xv4='],
    };
    expect(verifySignature(['12345'], req)).toBe(true);
    expect(verifySignature(['12345'], { ...req, rawBody: '{"property": "forged"}' })).toBe(false);
  });

  it('accepts the empty-body vector, which was signed over the :443 form of the URL', () => {
    const signedUrl = `${url}&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`;
    const req = {
      url: signedUrl,
      contentType: 'application/json',
      rawBody: '{}',
      signatures: ['Ldidvp12m26NI7eqEvxnEpkd9Hc='],
    };
    expect(verifySignature(['12345'], req)).toBe(true);
  });

  it('matches Vector C (bodySHA256 on the compatibility surface)', () => {
    const body = '{"event":"call.state"}';
    const signedUrl =
      'https://example.ngrok.io/webhook?bodySHA256=69f3cbfc18e386ef8236cb7008cd5a54b7fed637a8cb3373b5a1591d7f0fd5f4';
    expect(
      verifySignature(['PSKtest1234567890abcdef'], {
        url: signedUrl,
        contentType: 'application/json',
        rawBody: body,
        signatures: ['dfO9ek8mxyFtn2nMz24plPmPfIY='],
      }),
    ).toBe(true);
  });
});

describe("SignalWire's SHA-256 header (X-SignalWire-SHA256-Signature)", () => {
  // SignalWire's own JSON vector (the SHA-1 one above), hashed with SHA-256: hex HMAC-SHA256 of
  // the URL followed by the raw body. No published SHA-256 vector exists; this one was computed
  // with `openssl dgst -sha256 -hmac`, and node's crypto recomputes it below.
  const key = 'PSKtest1234567890abcdef';
  const swUrl = 'https://example.ngrok.io/webhook';
  const body = '{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}';
  const SHA256 = '2a29f8a92b11df39da80c3b185fd62173d49c294184da585ff951eae4433571c';
  const SHA1 = 'c3c08c1fefaf9ee198a100d5906765a6f394bf0f';
  const JSON_TYPE = 'application/json';
  const req = (sha256Signatures: string[], signatures: string[] = [], over: Record<string, string> = {}) => ({
    url: swUrl,
    contentType: JSON_TYPE,
    rawBody: body,
    signatures,
    sha256Signatures,
    ...over,
  });

  it('matches the vector, computed independently', () => {
    expect(bodySignatureSha256(key, swUrl, body)).toBe(SHA256);
    expect(
      createHmac('sha256', key)
        .update(swUrl + body)
        .digest('hex'),
    ).toBe(SHA256);
  });

  it('accepts a request signed with it alone, without the SHA-1 header', () => {
    expect(verifySignature([key], req([SHA256]))).toBe(true);
    expect(verifySignature(['other-key', key], req([SHA256]))).toBe(true);
  });

  it('refuses a wrong key, a tampered body and a changed URL', () => {
    expect(verifySignature(['PSKnot-the-key-0000'], req([SHA256]))).toBe(false);
    expect(verifySignature([key], req([SHA256], [], { rawBody: body.replace('answered', 'ended') }))).toBe(
      false,
    );
    expect(verifySignature([key], req([SHA256], [], { url: `${swUrl}?x=1` }))).toBe(false);
  });

  it('does not take a SHA-1 signature in the SHA-256 header, nor the reverse', () => {
    expect(verifySignature([key], req([SHA1]))).toBe(false);
    expect(verifySignature([key], req([], [SHA256]))).toBe(false);
  });

  it('accepts the signature made over the URL with its default port, and no other port', () => {
    const withPort = 'f580bf53e5bf9848d78e8e8b35443a044e44b6ef15cbb694518924a199967302'; // openssl, :443
    expect(bodySignatureSha256(key, 'https://example.ngrok.io:443/webhook', body)).toBe(withPort);
    expect(verifySignature([key], req([withPort]))).toBe(true);
    // Received on the explicit :443 form, signed without it.
    expect(verifySignature([key], req([SHA256], [], { url: 'https://example.ngrok.io:443/webhook' }))).toBe(
      true,
    );
    const other = bodySignatureSha256(key, 'https://example.ngrok.io:8443/webhook', body);
    expect(verifySignature([key], req([other]))).toBe(false);
  });

  it('signs the raw body whatever its content type', () => {
    const signed = bodySignatureSha256(key, url, form);
    expect(
      verifySignature([key], {
        url,
        contentType: FORM,
        rawBody: form,
        signatures: [],
        sha256Signatures: [signed],
      }),
    ).toBe(true);
    expect(
      verifySignature([key], {
        url,
        contentType: FORM,
        rawBody: form.replace('1234', '9999'),
        signatures: [],
        sha256Signatures: [signed],
      }),
    ).toBe(false);
  });

  it("accepts a request when either header verifies, as SignalWire's validators do", () => {
    // A failing SHA-256 header leaves the decision to the SHA-1 one, and the reverse.
    expect(verifySignature([key], req(['0'.repeat(64)], [SHA1]))).toBe(true);
    expect(verifySignature([key], req([SHA256], ['forged']))).toBe(true);
    expect(verifySignature([key], req(['0'.repeat(64)], ['forged']))).toBe(false);
    expect(verifySignature([key], req([], []))).toBe(false);
  });
});

describe("Twilio's SharedKey signatures (X-Twilio-Webhooks-Signature-Settings)", () => {
  const secret = 'sharedkey-secret-0123456789';
  const obj = Object.fromEntries(params);

  it("reads the algorithm as Twilio's package does", () => {
    expect(twilioSettingsHash('key=webhooks_sharedkey_01J,algorithm=HMAC_SHA256')).toBe('sha256');
    expect(twilioSettingsHash(' algorithm = hmac_sha256 ')).toBe('sha256');
    expect(twilioSettingsHash('key=webhooks_sharedkey_01J,algorithm=HMAC_SHA1')).toBe('sha1');
    expect(twilioSettingsHash('key=webhooks_sharedkey_01J')).toBe('sha1');
    expect(twilioSettingsHash('')).toBe('sha1');
    expect(twilioSettingsHash('algorithm=HMAC_SHA512')).toBeNull();
  });

  it("matches the signature Twilio's package makes with HMAC_SHA256, on the classic vector", () => {
    const expected = twilio.getExpectedTwilioSignature('12345', url, obj, twilio.HMAC_SHA256);
    // The same value from openssl: base64 HMAC-SHA256 of the URL and the sorted parameters.
    expect(expected).toBe('033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=');
    expect(formSignature('12345', url, params, 'sha256')).toBe(expected);
  });

  it('verifies a form post signed by the package, and refuses it with another key or a changed body', () => {
    const signature = twilio.getExpectedTwilioSignature(secret, url, obj, twilio.HMAC_SHA256);
    const req = { url, contentType: FORM, rawBody: form, signatures: [signature], hash: 'sha256' as const };
    expect(verifySignature([secret], req)).toBe(true);
    expect(verifySignature(['12345'], req)).toBe(false);
    expect(verifySignature([secret], { ...req, rawBody: form.replace('1234', '9999') })).toBe(false);
    // Read as SHA-1, the usual Twilio signature, it does not verify.
    expect(verifySignature([secret], { ...req, hash: 'sha1' })).toBe(false);
    // And a SHA-1 signature does not pass for a SHA-256 one.
    const sha1 = twilio.getExpectedTwilioSignature(secret, url, obj);
    expect(verifySignature([secret], { ...req, signatures: [sha1] })).toBe(false);
  });

  it('accepts it over the URL with or without the default port, as the package does', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    const signature = twilio.getExpectedTwilioSignature(secret, withPort, obj, twilio.HMAC_SHA256);
    expect(twilio.validateRequest(secret, signature, url, obj, twilio.HMAC_SHA256)).toBe(true);
    expect(
      verifySignature([secret], {
        url,
        contentType: FORM,
        rawBody: form,
        signatures: [signature],
        hash: 'sha256',
      }),
    ).toBe(true);
  });

  it('verifies a JSON body under the bodySHA256 convention, the body checked against its hash', () => {
    const body = '{"property": "value", "boolean": true}';
    const signedUrl = `${url}&bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature(secret, signedUrl, {}, twilio.HMAC_SHA256);
    expect(twilio.validateRequestWithBody(secret, signature, signedUrl, body, twilio.HMAC_SHA256)).toBe(true);
    const req = { url: signedUrl, contentType: 'application/json', rawBody: body, signatures: [signature] };
    expect(verifySignature([secret], { ...req, hash: 'sha256' })).toBe(true);
    expect(verifySignature([secret], { ...req, hash: 'sha256', rawBody: '{"property": "forged"}' })).toBe(
      false,
    );
  });
});
