/**
 * True when a container `User` runs as root: empty (the image default, usually root), the name `root`, or uid 0 in
 * any spelling (`0`, `00`, `+0`, `0:0`, `0:1000`, `root:wheel`).
 */
export function isRootUser(user: string | undefined): boolean {
  if (user === undefined) return true;
  const uid = user.trim().split(':')[0].trim();
  if (uid === '') return true;
  if (uid.toLowerCase() === 'root') return true;
  return /^[+]?\d+$/.test(uid) && Number(uid) === 0;
}
