// What the admin API answers about people and TVs: read by the server and the admin page alike.

export type Role = 'admin' | 'supervisor';

export interface UserInfo {
  id: string;
  username: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: string;
}

export interface WallboardInfo {
  id: string;
  name: string;
  state: 'waiting' | 'paired' | 'revoked' | 'expired';
  createdAt: string;
  pairedAt: string | null;
  lastSeenAt: string | null;
  codeExpiresAt: string | null;
}
