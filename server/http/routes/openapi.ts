// GET /api/v1/openapi.json: the API described (../openapi.ts).

import { OPENAPI_DOCUMENT } from '../openapi';
import type { ApiRequest, JsonReply } from '../request';

export async function openApiDocument(req: ApiRequest): Promise<JsonReply> {
  return { status: 200, body: { ...OPENAPI_DOCUMENT, info: { ...OPENAPI_DOCUMENT.info, version: req.api.version } } };
}
