import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * OpenAPI for the REST surface at /docs (UI) and /docs/openapi.json. The documentation itself needs no client
 * certificate; every operation it describes does.
 */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('EVX authority API')
    .setDescription(
      'Requests (production and preservation orders), approvals and the audit log. Every operation needs mutual TLS ' +
        'with an EVX client certificate (authority or oversight trust domain); errors are JSON {statusCode, error, message}.',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
}
