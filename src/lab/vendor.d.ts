// js-md4 ships no types. Only its pure-JavaScript hasher is used: its default export calls Node's md4, which
// OpenSSL 3 (Node 20) refuses.
declare module "js-md4" {
  interface Md4Hasher {
    update(message: Uint8Array | string): Md4Hasher;
    arrayBuffer(): ArrayBuffer;
  }
  const md4: { create(): Md4Hasher };
  export default md4;
}
