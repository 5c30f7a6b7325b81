export declare const providers: ('sqlite' | 'postgresql')[];
export declare function schemaFor(provider: string): string;
