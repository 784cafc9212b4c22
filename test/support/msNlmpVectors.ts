/**
 * The NTLMv2 example of MS-NLMP section 4.2.4 (User "User", domain "Domain", password "Password", server "Server",
 * time 0, client challenge aa…), shared by the lab's and the product's tests.
 */
const avPairs = Buffer.from("02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000", "hex");

export const MS_NLMP = {
  user: "User",
  domain: "Domain",
  password: "Password",
  workstation: "COMPUTER",
  serverChallenge: "0123456789abcdef",
  clientChallenge: "aaaaaaaaaaaaaaaa",
  /** 4.2.4.1.1 NTOWFv1 (4.2.2.1.2) and NTOWFv2 = ResponseKeyNT. */
  ntowfV1: "a4f49c406510bdcab6824ee7c30fd852",
  responseKeyNT: "0c868a403bfd7a93a3001ef22ef02e3f",
  /** 4.2.4.2.1 LMv2 response; 4.2.4.2.2 NTProofStr. */
  lmv2Response: "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa",
  ntProofStr: "68cd0ab851e51c96aabc927bebef6a1c",
  /** The target info of the example's CHALLENGE message (4.2.4.3): MsvAvNbDomainName, MsvAvNbComputerName, EOL. */
  targetInfo: avPairs,
  /** temp = 0x0101, Z(6), Time, ClientChallenge, Z(4), ServerName (the AV pairs), Z(4). */
  temp(): Buffer {
    return Buffer.concat([
      Buffer.from("0101000000000000", "hex"),
      Buffer.alloc(8),
      Buffer.from("aaaaaaaaaaaaaaaa", "hex"),
      Buffer.alloc(4),
      avPairs,
      Buffer.alloc(4),
    ]);
  },
  /** An AUTHENTICATE message (Unicode) carrying the example's responses, or the NT response given. */
  authenticateMessage(ntResponse?: Buffer): Buffer {
    const nt = ntResponse ?? Buffer.concat([Buffer.from("68cd0ab851e51c96aabc927bebef6a1c", "hex"), MS_NLMP.temp()]);
    const payload = [
      Buffer.from(MS_NLMP.lmv2Response, "hex"),
      nt,
      Buffer.from("Domain", "utf16le"),
      Buffer.from("User", "utf16le"),
      Buffer.from("COMPUTER", "utf16le"),
    ];
    const header = Buffer.alloc(64);
    Buffer.from("NTLMSSP\0", "latin1").copy(header, 0);
    header.writeUInt32LE(3, 8);
    let offset = 64;
    payload.forEach((part, index) => {
      header.writeUInt16LE(part.length, 12 + index * 8);
      header.writeUInt16LE(part.length, 14 + index * 8);
      header.writeUInt32LE(offset, 16 + index * 8);
      offset += part.length;
    });
    header.writeUInt32LE(offset, 56);
    header.writeUInt32LE(0xe2888215, 60);
    return Buffer.concat([header, ...payload]);
  },
};
