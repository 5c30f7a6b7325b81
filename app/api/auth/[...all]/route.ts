import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

// Better Auth's own endpoints: sign-in, sign-out, session; its admin endpoints check the role.
const handle = (request: Request) => getRuntime().auth.handler(request);
export { handle as GET, handle as POST };
