// Every route of the HTTP API, one line each; handlers live in routes/.

import { Router } from './router';
import { runSql } from './routes/sql';
import { createObject, describeObject, dropObject, listObjects, pauseQuery, resumeQuery } from './routes/objects';
import { listDeadLetters } from './routes/dead-letters';
import { serverStatus } from './routes/status';
import { openApiDocument } from './routes/openapi';
import { postStreamRows } from './routes/rows';
import { streamChanges } from './routes/changes';
import { health, ready } from './routes/health';
import { metrics } from './routes/metrics';
import { queryPlan } from './routes/query-plan';

export function apiRoutes(): Router {
  return new Router()
    .add('GET', '/health', health, 'public')
    .add('GET', '/ready', ready, 'public')
    .add('GET', '/metrics', metrics)
    .add('GET', '/api/v1/openapi.json', openApiDocument)
    .add('GET', '/api/v1/status', serverStatus)
    .add('POST', '/api/v1/sql', runSql)
    .add('GET', '/api/v1/dead-letters', listDeadLetters)
    .add('POST', '/api/v1/queries/:name/pause', pauseQuery)
    .add('POST', '/api/v1/queries/:name/resume', resumeQuery)
    .add('POST', '/api/v1/streams/:name/rows', postStreamRows)
    .add('GET', '/api/v1/:kind/:name/changes', streamChanges)
    .add('GET', '/api/v1/queries/:name/plan', queryPlan)
    .add('GET', '/api/v1/:kind', listObjects)
    .add('POST', '/api/v1/:kind', createObject)
    .add('GET', '/api/v1/:kind/:name', describeObject)
    .add('DELETE', '/api/v1/:kind/:name', dropObject);
}
