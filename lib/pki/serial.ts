/**
 * The one serial-number form the deny-list uses: lower-case hex, no colons or spaces, no leading zeros.
 * API Gateway (clientCert.serialNumber), openssl, @peculiar/x509 and AWS Private CA all print serials differently.
 */
export function normalizeSerial(serial: string): string {
  const hex = String(serial)
    .trim()
    .replace(/^0x/i, '')
    .replace(/[:\s-]/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) {
    throw new Error(`invalid certificate serial "${serial}": expected hexadecimal digits, optionally separated by colons`);
  }
  return hex.replace(/^0+(?=.)/, '');
}
