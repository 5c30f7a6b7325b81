// @signalwire/compatibility-api ships types its package.json "exports" do not expose to TypeScript;
// what the tests use of it, as its own declarations give it.
declare module '@signalwire/compatibility-api' {
  export const RestClient: {
    validateRequest(
      authToken: string,
      signature: string,
      url: string,
      params: Record<string, string>,
    ): boolean;
  };
}
