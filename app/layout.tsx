import type { Metadata, Viewport } from 'next';
import './globals.css';

// Every page is rendered per request: its scripts carry that request's CSP nonce.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Call wallboard',
  description: 'Live call-center wallboard',
};

export const viewport: Viewport = { colorScheme: 'dark', themeColor: '#020617' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
