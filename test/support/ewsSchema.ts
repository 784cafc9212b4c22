import { execFile } from "node:child_process";
import { mkdtemp, writeFile, rm, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { referencePath } from "./sharedReference.js";

const SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";

/**
 * A SOAP 1.1 envelope schema whose Header and Body children are validated strictly against Microsoft's EWS
 * schemas (messages.xsd imports types.xsd), so any element EWS does not declare, or declares differently, fails.
 */
function envelopeSchema(schemaDir: string, xmlNamespaceSchema: string): string {
  const messages = pathToFileURL(path.join(schemaDir, "messages.xsd")).href;
  const types = pathToFileURL(path.join(schemaDir, "types.xsd")).href;
  return `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${SOAP_NS}" xmlns:soap="${SOAP_NS}" xmlns:xml="http://www.w3.org/XML/1998/namespace" elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="${pathToFileURL(xmlNamespaceSchema).href}"/>
  <xs:import namespace="http://schemas.microsoft.com/exchange/services/2006/messages" schemaLocation="${messages}"/>
  <xs:import namespace="http://schemas.microsoft.com/exchange/services/2006/types" schemaLocation="${types}"/>
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType><xs:sequence><xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/></xs:sequence><xs:anyAttribute processContents="lax"/></xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType><xs:choice>
            <xs:element ref="soap:Fault"/>
            <xs:any namespace="##other" processContents="strict"/>
          </xs:choice><xs:anyAttribute processContents="lax"/></xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:anyAttribute processContents="lax"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="Fault">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
        <xs:element name="faultstring" form="unqualified">
          <xs:complexType><xs:simpleContent><xs:extension base="xs:string"><xs:attribute ref="xml:lang"/></xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
        <xs:element name="faultactor" type="xs:anyURI" form="unqualified" minOccurs="0"/>
        <xs:element name="detail" form="unqualified" minOccurs="0">
          <xs:complexType><xs:sequence><xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence><xs:anyAttribute processContents="lax"/></xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>`;
}

const XML_NAMESPACE_SCHEMA = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:language"/>
</xs:schema>`;

/**
 * libxml2 refuses one content model of Microsoft's types.xsd as non-deterministic (a sequence of optional
 * substitution-group heads used only by time-zone transitions, which the product never sends or reads). The schemas
 * are copied into the temporary folder and that one type is reduced to its substitution-group head (which still
 * admits the three transition kinds, validated); everything else is
 * validated exactly as Microsoft wrote it.
 */
const TYPES_PATCHES: Array<[RegExp, string]> = [
  [
    /(<xs:complexType name="ArrayOfTransitionsType">\s*)<xs:sequence>[\s\S]*?<\/xs:sequence>/,
    `$1<xs:sequence><xs:element ref="t:Transition" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>`,
  ],
];

async function copyEwsSchemas(dir: string): Promise<void> {
  let types = await readFile(referencePath("ews-schema", "types.xsd"), "utf8");
  for (const [pattern, replacement] of TYPES_PATCHES) {
    if (!pattern.test(types)) throw new Error(`types.xsd no longer has the content model patched by ${pattern}`);
    types = types.replace(pattern, replacement);
  }
  await writeFile(path.join(dir, "types.xsd"), types);
  await writeFile(path.join(dir, "messages.xsd"), await readFile(referencePath("ews-schema", "messages.xsd")));
}

export interface SchemaVerdict {
  valid: boolean;
  /** xmllint's messages for this document (empty when valid). */
  errors: string[];
}

/**
 * Validates SOAP envelopes against the EWS schemas with xmllint (libxml2-utils), in one xmllint run for the batch.
 * Returns one verdict per document, in order.
 */
export async function validateEwsEnvelopes(documents: string[]): Promise<SchemaVerdict[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "ews-xsd-"));
  try {
    const schemaFile = path.join(dir, "envelope.xsd");
    const xmlNamespaceSchema = path.join(dir, "xml.xsd");
    // types.xsd refers to xml:lang without a schemaLocation; declare it locally so validation needs no network.
    await writeFile(xmlNamespaceSchema, XML_NAMESPACE_SCHEMA);
    await copyEwsSchemas(dir);
    await writeFile(schemaFile, envelopeSchema(dir, xmlNamespaceSchema));
    const files = await Promise.all(
      documents.map(async (doc, i) => {
        const file = path.join(dir, `doc${i}.xml`);
        await writeFile(file, doc);
        return file;
      }),
    );
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        "xmllint",
        ["--noout", "--nonet", "--schema", schemaFile, ...files],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, _stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
            reject(new Error("xmllint not found: install libxml2-utils (apt-get install libxml2-utils)"));
            return;
          }
          resolve(stderr);
        },
      );
    });
    if (/failed to compile|Schemas parser error/i.test(output) && !files.some((f) => output.includes(f))) {
      throw new Error(`EWS envelope schema did not compile:\n${output.slice(0, 2000)}`);
    }
    return files.map((file) => {
      const lines = output.split("\n").filter((line) => line.startsWith(file));
      const valid = lines.some((line) => line === `${file} validates`);
      return { valid, errors: valid ? [] : lines.map((line) => line.slice(file.length + 1)) };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function validateEwsEnvelope(document: string): Promise<SchemaVerdict> {
  const [verdict] = await validateEwsEnvelopes([document]);
  if (!verdict) throw new Error("xmllint returned no verdict");
  return verdict;
}
