// GET /metrics: Prometheus' text format (server/http/metrics/sluice-metrics.ts says what is in it).

import type { ApiRequest } from '../request';

export async function metrics(req: ApiRequest): Promise<'answered'> {
  const text = await req.api.metrics.scrape();
  req.response.writeHead(200, {
    'Content-Type': req.api.metrics.contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  req.response.end(text);
  return 'answered';
}
