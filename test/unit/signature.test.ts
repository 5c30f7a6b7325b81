// The providers' published signature vectors (docs/webhook.md), and the documented quirks.
import { describe, expect, it } from 'vitest';
import {
  bodySignature,
  formSignature,
  sha256Hex,
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
