import crypto from 'node:crypto';

let installed = false;

/**
 * s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with single DES (`des`), which OpenSSL 3
 * (Node 17 and later) has only in its legacy provider: any listing of more than 1000 keys, the
 * first truncated page, fails with InternalError (ERR_OSSL_EVP_UNSUPPORTED). Triple DES with the
 * one key repeated three times is the same cipher, and the default provider has it, so this maps
 * `des` calls onto `des-ede3-cbc`. Hand-written: s3rver is unmaintained and no release fixes it.
 * Only calls that would throw change: nothing else can use single DES in this process.
 */
export function allowS3rverContinuationTokens(): void {
  if (installed) return;
  installed = true;
  const { createCipheriv, createDecipheriv } = crypto;
  const asTripleDes = (algorithm: string, key: crypto.CipherKey) =>
    isSingleDes(algorithm, key)
      ? { algorithm: 'des-ede3-cbc', key: Buffer.concat([key, key, key]) }
      : { algorithm, key };
  crypto.createCipheriv = ((algorithm: string, key: crypto.CipherKey, ...rest: unknown[]) => {
    const mapped = asTripleDes(algorithm, key);
    return (createCipheriv as (...args: unknown[]) => crypto.Cipher)(mapped.algorithm, mapped.key, ...rest);
  }) as typeof crypto.createCipheriv;
  crypto.createDecipheriv = ((algorithm: string, key: crypto.CipherKey, ...rest: unknown[]) => {
    const mapped = asTripleDes(algorithm, key);
    return (createDecipheriv as (...args: unknown[]) => crypto.Decipher)(
      mapped.algorithm,
      mapped.key,
      ...rest,
    );
  }) as typeof crypto.createDecipheriv;
}

function isSingleDes(algorithm: string, key: crypto.CipherKey): key is Buffer {
  return ['des', 'des-cbc'].includes(algorithm.toLowerCase()) && Buffer.isBuffer(key) && key.length === 8;
}
