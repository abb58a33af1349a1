import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { json } from '../../http/problem';
import { openApiDocument } from '../../openapi/document';

// Built once per cold start: the document only changes with the code.
const document = openApiDocument();

/** GET /openapi.json (public): the API description. */
export const handler = async (): Promise<APIGatewayProxyResultV2> => json(200, document);
