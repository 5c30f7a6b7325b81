export declare function systemChromium(): string | undefined;
export declare const CHROMIUM_ARGS: string[];
