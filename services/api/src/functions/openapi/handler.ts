import { json, publicHttpHandler } from '@reelay/lambda';
import { openApiDocument } from '../../openapi/document';
import { powertools } from '../../powertools';

// Built once per cold start: the document only changes with the code.
const document = openApiDocument();

/** GET /openapi.json (public): the API description. */
export const handler = publicHttpHandler(powertools, async () => json(200, document));
