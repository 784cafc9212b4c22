// httpntlm ships no types; the tests use its post() only.
declare module "httpntlm" {
  import type { Agent } from "node:https";
  interface HttpNtlmOptions {
    url: string;
    username: string;
    password: string;
    domain?: string;
    workstation?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: Agent;
  }
  interface HttpNtlmResponse {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  }
  interface Type2 {
    negotiateFlags: number;
  }
  interface NtlmMessages {
    createType1Message(options: Omit<HttpNtlmOptions, "url">): string;
    parseType2Message(header: string, onError: (error: Error) => void): Type2;
    createType3Message(type2: Type2, options: Omit<HttpNtlmOptions, "url">): string;
  }
  const httpntlm: {
    ntlm: NtlmMessages;
    post(options: HttpNtlmOptions, callback: (error: Error | null, response: HttpNtlmResponse) => void): void;
  };
  export default httpntlm;
}
