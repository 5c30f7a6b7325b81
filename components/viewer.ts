// Who is looking at the board, as the page tells its components.
export interface Viewer {
  kind: 'user' | 'tv';
  name: string;
  admin: boolean;
}
