import QRCode from 'qrcode';
import { displayCode } from './tv';
import { siteOrigin } from './policy';

/** Where the TV pairs: the code rides in the fragment, which browsers never send to a server. */
export async function pairing(
  request: Request,
  config: { PUBLIC_URL?: string; TRUST_PROXY: boolean },
  code: string,
  expiresAt: Date,
) {
  const origin = siteOrigin(request.headers, {
    publicUrl: config.PUBLIC_URL,
    trustProxy: config.TRUST_PROXY,
  });
  const link = `${origin}/pair`;
  const svg = await QRCode.toString(`${link}#${code}`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return {
    code: displayCode(code),
    link,
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    expiresAt: expiresAt.toISOString(),
  };
}
