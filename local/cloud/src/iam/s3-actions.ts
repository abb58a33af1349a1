import type { IamRequest } from './policy-engine';

/** An S3 REST request (path-style) as IAM sees it. */
export interface S3Operation {
  bucket?: string;
  key?: string;
  /** A plain object read (GetObject/HeadObject): a 404 from it is only told to callers that may list. */
  isObjectRead: boolean;
  requests: IamRequest[];
}

export interface S3RequestShape {
  method: string;
  /** The path as sent: /<bucket>[/<key>] (path-style addressing), still percent-encoded. */
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Keys a DeleteObjects (POST ?delete) body names. */
  deleteKeys?: string[];
}

const BUCKET_SUBRESOURCE_ACTIONS: Record<string, Record<string, string>> = {
  GET: {
    location: 's3:GetBucketLocation',
    cors: 's3:GetBucketCORS',
    lifecycle: 's3:GetLifecycleConfiguration',
    policy: 's3:GetBucketPolicy',
    uploads: 's3:ListBucketMultipartUploads',
    versions: 's3:ListBucketVersions',
    acl: 's3:GetBucketAcl',
    tagging: 's3:GetBucketTagging',
    versioning: 's3:GetBucketVersioning',
    website: 's3:GetBucketWebsite',
    notification: 's3:GetBucketNotification',
    encryption: 's3:GetEncryptionConfiguration',
  },
  PUT: {
    cors: 's3:PutBucketCORS',
    lifecycle: 's3:PutLifecycleConfiguration',
    policy: 's3:PutBucketPolicy',
    acl: 's3:PutBucketAcl',
    tagging: 's3:PutBucketTagging',
    versioning: 's3:PutBucketVersioning',
    website: 's3:PutBucketWebsite',
    notification: 's3:PutBucketNotification',
    encryption: 's3:PutEncryptionConfiguration',
  },
  DELETE: {
    cors: 's3:PutBucketCORS',
    lifecycle: 's3:PutLifecycleConfiguration',
    policy: 's3:DeleteBucketPolicy',
    tagging: 's3:PutBucketTagging',
    website: 's3:DeleteBucketWebsite',
  },
};

const OBJECT_SUBRESOURCE_ACTIONS: Record<string, Record<string, string>> = {
  GET: {
    acl: 's3:GetObjectAcl',
    tagging: 's3:GetObjectTagging',
    uploadId: 's3:ListMultipartUploadParts',
    versionId: 's3:GetObjectVersion',
    attributes: 's3:GetObjectAttributes',
  },
  PUT: { acl: 's3:PutObjectAcl', tagging: 's3:PutObjectTagging' },
  DELETE: {
    uploadId: 's3:AbortMultipartUpload',
    tagging: 's3:DeleteObjectTagging',
    versionId: 's3:DeleteObjectVersion',
  },
  POST: { restore: 's3:RestoreObject', select: 's3:GetObject' },
};

/**
 * The IAM actions and resources of an S3 request, from the "Actions, resources and condition keys
 * for Amazon S3" reference: bucket operations act on arn:aws:s3:::<bucket>, object operations on
 * arn:aws:s3:::<bucket>/<key>; a listing sets s3:prefix / s3:delimiter / s3:max-keys; a copy
 * also reads its source; multipart uploads are s3:PutObject.
 */
export function s3Operation(req: S3RequestShape): S3Operation {
  const method = req.method.toUpperCase() === 'HEAD' ? 'GET' : req.method.toUpperCase();
  const path = req.rawPath.replace(/^\//, '');
  if (path === '')
    return { isObjectRead: false, requests: [{ action: 's3:ListAllMyBuckets', resource: '*' }] };
  const slash = path.indexOf('/');
  const bucket = decode(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 || slash === path.length - 1 ? undefined : decode(path.slice(slash + 1));
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const has = (name: string) => req.query[name] !== undefined;

  if (key === undefined) {
    if (method === 'POST' && has('delete')) {
      return {
        bucket,
        isObjectRead: false,
        requests: (req.deleteKeys ?? []).map((k) => ({
          action: 's3:DeleteObject',
          resource: `${bucketArn}/${k}`,
        })),
      };
    }
    for (const [sub, action] of Object.entries(BUCKET_SUBRESOURCE_ACTIONS[method] ?? {}))
      if (has(sub)) return { bucket, isObjectRead: false, requests: [{ action, resource: bucketArn }] };
    const action =
      method === 'GET'
        ? 's3:ListBucket'
        : method === 'PUT'
          ? 's3:CreateBucket'
          : method === 'DELETE'
            ? 's3:DeleteBucket'
            : `s3:${method}Bucket`;
    const context: Record<string, string> = {};
    if (action === 's3:ListBucket' && req.method.toUpperCase() === 'GET') {
      for (const name of ['prefix', 'delimiter', 'max-keys'] as const) {
        const v = req.query[name];
        if (typeof v === 'string') context[`s3:${name}`] = v;
      }
    }
    return { bucket, isObjectRead: false, requests: [{ action, resource: bucketArn, context }] };
  }

  const objectArn = `${bucketArn}/${key}`;
  for (const [sub, action] of Object.entries(OBJECT_SUBRESOURCE_ACTIONS[method] ?? {}))
    if (has(sub)) return { bucket, key, isObjectRead: false, requests: [{ action, resource: objectArn }] };
  if (method === 'GET')
    return { bucket, key, isObjectRead: true, requests: [{ action: 's3:GetObject', resource: objectArn }] };
  if (method === 'DELETE')
    return {
      bucket,
      key,
      isObjectRead: false,
      requests: [{ action: 's3:DeleteObject', resource: objectArn }],
    };
  // PUT (a put, an upload part, a copy) and POST (create / complete a multipart upload).
  const requests: IamRequest[] = [{ action: 's3:PutObject', resource: objectArn }];
  const copySource = headerValue(req.headers, 'x-amz-copy-source');
  if (copySource) {
    const source = decode(copySource.replace(/^\//, '').split('?')[0] ?? '');
    requests.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${source}` });
  }
  if (headerValue(req.headers, 'x-amz-tagging'))
    requests.push({ action: 's3:PutObjectTagging', resource: objectArn });
  if (headerValue(req.headers, 'x-amz-acl'))
    requests.push({ action: 's3:PutObjectAcl', resource: objectArn });
  return { bucket, key, isObjectRead: false, requests };
}

/** What S3 checks before it says a key does not exist: may the caller list the bucket? */
export function listBucketCheck(bucket: string): IamRequest {
  // No s3:prefix: AWS does not document which prefix (if any) this implicit check carries, so the
  // local cloud takes the strict reading: only an unconditional s3:ListBucket on the bucket lets a
  // caller tell "missing" from "denied".
  return { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}` };
}

/** The keys of a DeleteObjects request body (<Delete><Object><Key>…</Key></Object>…</Delete>). */
export function deleteObjectsKeys(xml: string): string[] {
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''));
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function headerValue(headers: S3RequestShape['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
