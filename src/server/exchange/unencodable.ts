/**
 * The error every encoder throws (XML text, HTTP header, PowerShell literal) for a value it cannot carry as is.
 * Encoders refuse rather than drop or replace a character: a changed address would check or scope another mailbox.
 * The message names the character and its position, never the value (an address is personal data).
 */
import { describeCharacter } from "../../contract/characters.js";

export class UnencodableValueError extends RangeError {
  constructor(
    readonly encoding: string,
    readonly codePoint: number,
    /** 1-based, in code points. */
    readonly position: number,
  ) {
    super(`${encoding} cannot carry ${describeCharacter(codePoint)} at position ${position}; the value is refused`);
    this.name = "UnencodableValueError";
  }
}

/** Throws for the first character `refused` matches (a regex without the g flag, tested per code point). */
export function refuseCharacters(value: string, refused: RegExp, encoding: string): void {
  let position = 0;
  for (const character of value) {
    position += 1;
    if (refused.test(character)) throw new UnencodableValueError(encoding, character.codePointAt(0) ?? 0, position);
  }
}
