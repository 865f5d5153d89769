import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { requestInstance, sendProblem, toProblem } from "../admin/problem-reply.ts";
import { requestLogSerializer } from "../admin/redact-secrets.ts";

/**
 * The fastify options every JSON API port of keygate shares (admin, portal):
 * no HEAD twins, 503 while closing, our own request ids (a client's is not
 * trusted), prototype poisoning refused, secrets redacted from logged URLs,
 * and fastify's own errors (routing, body parsing) as problem+json.
 */
export function jsonApiOptions(bodyLimit: number): FastifyServerOptions {
  return {
    bodyLimit,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    routerOptions: { maxParamLength: 200 },
    childLoggerFactory: (logger, bindings, childOptions) =>
      logger.child(bindings, {
        ...childOptions,
        serializers: { ...childOptions.serializers, req: requestLogSerializer },
      }),
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply, toProblem(error, requestInstance(request.url), bodyLimit));
    },
  };
}

/**
 * JSON bodies only (anything else is a 400 before a handler runs; an empty
 * body counts as none), and every thrown error as problem+json; an
 * unexpected one is logged in full with the request id and answered 500.
 */
export function useJsonProblems(app: FastifyInstance, bodyLimit: number, port: string): void {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") done(null, undefined);
    // The default parser answers through `done`; its return value carries nothing.
    else void parseJson(request, body as string, done);
  });
  app.setErrorHandler((error, request, reply) => {
    const limit = request.routeOptions.bodyLimit ?? bodyLimit;
    const problem = toProblem(error, requestInstance(request.url), limit);
    if (problem.code === "INTERNAL") request.log.error({ err: error }, `unhandled error on the ${port} port`);
    return sendProblem(reply, problem);
  });
}
