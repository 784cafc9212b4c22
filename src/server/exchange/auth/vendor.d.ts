// @ewsjs/ntlm-client ships no types: the three message functions the product uses, as its lib/ntlm.js defines them.
declare module "@ewsjs/ntlm-client" {
  export interface Type2Message {
    flags: number;
    encoding: "ascii" | "ucs2";
    /** 2 when the server negotiated extended session security; the product always answers with NTLMv2. */
    version: 1 | 2;
    challenge: Buffer;
    targetName: string;
    targetInfo?: { parsed: Record<string, string>; buffer: Buffer };
  }
  /** A CommonJS module whose exports Node's ESM loader cannot name: import the default. */
  const ntlmClient: {
    createType1Message: (workstation?: string, target?: string) => string;
    decodeType2Message: (header: string) => Type2Message;
    createType3Message: (
      type2: Type2Message,
      username: string,
      password: string,
      workstation?: string,
      target?: string,
    ) => string;
  };
  export default ntlmClient;
}
declare module "@ewsjs/ntlm-client/lib/hash.js" {
  export function createNTLMHash(password: string): Buffer;
  export function createLMv2Response(
    type2: { challenge: Buffer },
    username: string,
    ntlmHash: Buffer,
    nonce: string,
    targetName: string,
  ): Buffer;
  export function createNTLMv2Response(
    type2: { challenge: Buffer; targetInfo: { buffer: Buffer } },
    username: string,
    ntlmHash: Buffer,
    nonce: string,
    targetName: string,
  ): Buffer;
}
